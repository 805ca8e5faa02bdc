package io.netslim.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.reflect.Field;
import java.util.Collection;

/**
 * A BatchNormalization configuration for training only: DL4J's own runtime layer (same parameters, running
 * statistics and fallbacks) with {@link JavaBatchNormHelper} in place of the oneDNN helper, reading and writing
 * NCHW or channels-last data as {@link ChannelsLast} decided.
 * {@link TrainingLayers#strip} turns it back into a stock layer before a model is saved for users.
 */
public class FastBatchNormalization extends BatchNormalization {
    private static final Field HELPER = helperField();
    private boolean fusedRelu;
    private boolean inputChannelsLast;
    private boolean outputChannelsLast;

    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public FastBatchNormalization() {
    }

    /** True when this layer also applies the ReLU of the activation layer it feeds (and that one passes through). */
    public boolean isFusedRelu() {
        return fusedRelu;
    }

    public void setFusedRelu(boolean fusedRelu) {
        this.fusedRelu = fusedRelu;
    }

    /** True when the input array (and the gradient this layer returns for it) holds NHWC values. */
    public boolean isInputChannelsLast() {
        return inputChannelsLast;
    }

    public void setInputChannelsLast(boolean inputChannelsLast) {
        this.inputChannelsLast = inputChannelsLast;
    }

    /** True when this layer writes its output (and reads its gradient) as NHWC values. */
    public boolean isOutputChannelsLast() {
        return outputChannelsLast;
    }

    public void setOutputChannelsLast(boolean outputChannelsLast) {
        this.outputChannelsLast = outputChannelsLast;
    }

    /**
     * DL4J falls back to its own batch norm when a helper fails; with a fused ReLU, the penalty on gamma or
     * channels-last data that code would silently get them wrong, so then there is no fallback: the failure
     * surfaces.
     */
    @Override
    public boolean isCudnnAllowFallback() {
        return super.isCudnnAllowFallback() && !helperRequired();
    }

    /** True when only {@link JavaBatchNormHelper} computes this layer as configured. */
    private boolean helperRequired() {
        return fusedRelu || gammaL1() > 0 || inputChannelsLast || outputChannelsLast;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        Layer layer = super.instantiate(conf, listeners, layerIndex, paramsView, initializeParams, networkDataType);
        if (helperRequired() || networkDataType == DataType.FLOAT && !isLockGammaBeta()) {
            try {
                // DL4J divides gradients by the minibatch size after backprop, and regularisation comes after that
                HELPER.set(layer, new JavaBatchNormHelper(fusedRelu, gammaL1(), conf.isMiniBatch(),
                        inputChannelsLast, outputChannelsLast));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot set the batch-norm helper of " + getLayerName(), e);
            }
        }
        return layer;
    }

    /**
     * The L1 coefficient on gamma that the Java helper adds to gamma's gradient, instead of DL4J's regularisation
     * (0 here; {@code SparseBatchNormalization} returns its lambda).
     */
    protected double gammaL1() {
        return 0;
    }

    @Override
    public FastBatchNormalization clone() {
        return (FastBatchNormalization) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof FastBatchNormalization other && other.fusedRelu == fusedRelu
                && other.inputChannelsLast == inputChannelsLast && other.outputChannelsLast == outputChannelsLast;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(fusedRelu) * 4 + Boolean.hashCode(inputChannelsLast) * 2
                + Boolean.hashCode(outputChannelsLast);
    }

    /** DL4J chooses the helper by a hard-coded class name into a package-private field; this is the one way in. */
    private static Field helperField() {
        try {
            Field f = org.deeplearning4j.nn.layers.normalization.BatchNormalization.class.getDeclaredField("helper");
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's BatchNormalization layer has no 'helper' field: "
                    + "this netslim build expects DL4J 1.0.0-M2.1", e);
        }
    }
}
