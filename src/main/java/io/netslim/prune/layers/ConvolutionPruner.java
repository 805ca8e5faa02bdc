package io.netslim.prune.layers;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/** 2D convolution: W [out, in, kh, kw] loses filters (outputs) and input slices; bias [out]. Also the base of other convolutions. */
class ConvolutionPruner implements LayerPruner {
    @Override
    public Role role() {
        return Role.CUTS;
    }

    @Override
    public String outputRefusal(LayerVertex vertex) {
        return ((ConvolutionLayer) vertex.getLayerConf().getLayer()).getActivationFn() instanceof ActivationSoftmax
                ? "its softmax activation mixes channels" : null;
    }

    @Override
    public void setChannels(LayerVertex vertex, long in, long out) {
        ConvolutionLayer conv = (ConvolutionLayer) vertex.getLayerConf().getLayer();
        if (in >= 0) {
            conv.setNIn(in);
        }
        if (out >= 0) {
            conv.setNOut(out);
        }
    }

    @Override
    public INDArray slice(LayerVertex vertex, String key, INDArray param, long[] out, long[] in) {
        return "W".equals(key) ? Slices.select(Slices.select(param, 0, out), 1, in) : Slices.selectLast(param, out);
    }
}
