package io.netslim.prune.layers;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How one kind of DL4J layer takes part in channel pruning: whether it owns its input and output channels or
 * passes channels through, and how its configuration and parameters are cut (what it costs is metrics'
 * LayerCosts). One small class per layer kind, registered in {@link LayerPruners} (Torch-Pruning's
 * {@code pruner/function.py}).
 */
public interface LayerPruner {
    /** What pruning a channel means for the layer. */
    enum Role {
        /** Input and output channels are its own (conv, dense): cutting outputs removes filters, inputs columns. */
        CUTS,
        /** Output channel i is computed from input channel i alone (BN, ReLU, pooling): they prune together. */
        PASSES
    }

    Role role();

    /** Why this configured layer cannot take part in pruning (e.g. a softmax across channels), or null. */
    default String refusal(LayerVertex vertex) {
        return vertex.getPreProcessor() == null ? null
                : "its input preprocessor " + vertex.getPreProcessor().getClass().getSimpleName() + " is not supported";
    }

    /** Why the output channels of this configured layer (role CUTS) cannot be cut, or null. */
    default String outputRefusal(LayerVertex vertex) {
        return null;
    }

    /**
     * Sets the layer's channel counts after pruning: {@code in} input channels and {@code out} output channels,
     * either -1 when unchanged.
     */
    default void setChannels(LayerVertex vertex, long in, long out) {
    }

    /**
     * The part of parameter {@code key} that survives: {@code out} kept output channels, {@code in} kept input
     * channels (null: all kept).
     */
    default INDArray slice(LayerVertex vertex, String key, INDArray param, long[] out, long[] in) {
        return param;
    }
}
