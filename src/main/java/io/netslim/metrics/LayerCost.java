package io.netslim.metrics;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * What one kind of DL4J layer costs as the paper counts it: its trainable parameters and its FLOPs for one image.
 * One small class per layer kind, registered in {@link LayerCosts}; the defaults are those of a layer that is
 * not listed (all its parameters, no FLOPs).
 */
interface LayerCost {
    /** The name the per-layer list shows the layer under ("conv", "bn", "dense"), or null to leave it out. */
    default String kind() {
        return null;
    }

    /** Trainable parameters (BN running statistics are not: PyTorch's buffers). */
    default long params(Layer layer) {
        return layer.initializer().numParams(layer);
    }

    /** FLOPs for one image, 2 x multiply-adds, given the layer's output activation type. */
    default long flops(Layer layer, InputType out) {
        return 0;
    }
}
