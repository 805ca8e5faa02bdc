package io.netslim.prune.layers;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How one kind of DL4J layer takes part in channel pruning and in the counts: whether it owns its input and
 * output channels or passes channels through, how its configuration and parameters are cut, its trainable
 * parameters and FLOPs. One small class per layer kind, registered in {@link LayerPruners} (Torch-Pruning's
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

    /** The name the counts list the layer under ("conv", "bn", "dense"), or null to leave it out of the list. */
    default String kind() {
        return null;
    }

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

    /** Trainable parameters (BN running statistics are not: PyTorch's buffers). */
    default long params(Layer layer) {
        return layer.initializer().numParams(layer);
    }

    /** FLOPs for one image, 2 x multiply-adds, given the layer's input and output activation types. */
    default long flops(Layer layer, InputType in, InputType out) {
        return 0;
    }
}
