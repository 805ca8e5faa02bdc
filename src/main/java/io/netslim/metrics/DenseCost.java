package io.netslim.metrics;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

/** Dense and output layers: 2 x in x out. */
final class DenseCost implements LayerCost {
    @Override
    public String kind() {
        return "dense";
    }

    @Override
    public long flops(Layer layer, InputType out) {
        FeedForwardLayer ff = (FeedForwardLayer) layer;
        return 2L * ff.getNIn() * ff.getNOut();
    }
}
