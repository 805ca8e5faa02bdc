package io.netslim.prune.layers;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;

/** BatchNorm: one gamma, beta, mean and variance per channel; channel i out depends on channel i in only. */
final class BatchNormPruner implements LayerPruner {
    @Override
    public Role role() {
        return Role.PASSES;
    }

    @Override
    public void setChannels(LayerVertex vertex, long in, long out) {
        BatchNormalization bn = (BatchNormalization) vertex.getLayerConf().getLayer();
        bn.setNIn(out);
        bn.setNOut(out);
    }

    @Override
    public INDArray slice(LayerVertex vertex, String key, INDArray param, long[] out, long[] in) {
        return Slices.selectLast(param, out); // gamma, beta, mean, var / log10stdev
    }
}
