package io.netslim.prune.layers;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;

/**
 * Parameter-free layers that compute each output channel from the same input channel: activation, pooling,
 * global pooling, zero padding, dropout. They prune along with whatever produces their input.
 */
final class ChannelwisePruner implements LayerPruner {
    @Override
    public Role role() {
        return Role.PASSES;
    }

    @Override
    public String refusal(LayerVertex vertex) {
        Layer layer = vertex.getLayerConf().getLayer();
        IActivation fn = layer instanceof ActivationLayer a ? a.getActivationFn()
                : layer instanceof BaseLayer b ? b.getActivationFn() : null;
        if (fn instanceof ActivationSoftmax) {
            return "its softmax activation mixes channels";
        }
        return LayerPruner.super.refusal(vertex);
    }
}
