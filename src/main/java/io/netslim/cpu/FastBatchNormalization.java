package io.netslim.cpu;

import io.netslim.sparsity.L1Penalty;
import io.netslim.sparsity.PenalisedGamma;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.List;

/**
 * A BatchNormalization configuration for training only: DL4J's own runtime layer (same parameters, running
 * statistics and fallbacks) with {@link JavaBatchNormHelper} in place of the oneDNN helper, reading and writing
 * NCHW or channels-last data as {@link ChannelsLast} decided. It carries the sparsity penalty ({@link #penalty}:
 * {@link #getGammaL1}, {@link #getWeightDecay}): the helper adds the L1 sub-gradient to gamma's gradient itself
 * (what DL4J's L1 regularisation adds, at a third of the cost), and the weight decay reaches gamma and beta as L2
 * through DL4J's regularisation. The training network's way back to stock turns it into a stock layer before a model
 * is saved for users.
 */
public class FastBatchNormalization extends BatchNormalization implements PenalisedGamma {
    private static final Field HELPER = helperField();
    private boolean fusedRelu;
    private boolean inputChannelsLast;
    private boolean outputChannelsLast;
    private double gammaL1;
    private double weightDecay;

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

    /** The L1 coefficient on gamma (the sparsity penalty) that the Java helper adds to gamma's gradient; 0 for none. */
    public double getGammaL1() {
        return gammaL1;
    }

    public void setGammaL1(double gammaL1) {
        this.gammaL1 = gammaL1;
    }

    @Override
    public L1Penalty penalty() {
        return new L1Penalty(gammaL1, weightDecay);
    }

    /** Carries {@code penalty} (its L1 coefficient as {@link #getGammaL1}). */
    public void setPenalty(L1Penalty penalty) {
        this.gammaL1 = penalty.lambda();
        this.weightDecay = penalty.weightDecay();
    }

    /** L2 coefficient on gamma and beta (DL4J's own BatchNormalization regularises neither); 0 for none. */
    public double getWeightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        // the L1 term is the helper's
        return penalty().regularization(paramName, false);
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
        return fusedRelu || gammaL1 > 0 || inputChannelsLast || outputChannelsLast;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        Layer layer = super.instantiate(conf, listeners, layerIndex, paramsView, initializeParams, networkDataType);
        if (helperRequired() || networkDataType == DataType.FLOAT && !isLockGammaBeta()) {
            try {
                // DL4J divides gradients by the minibatch size after backprop, and regularisation comes after that
                HELPER.set(layer, new JavaBatchNormHelper(fusedRelu, penalty(), conf.isMiniBatch(),
                        inputChannelsLast, outputChannelsLast));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot set the batch-norm helper of " + getLayerName(), e);
            }
        }
        return layer;
    }

    @Override
    public FastBatchNormalization clone() {
        return (FastBatchNormalization) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof FastBatchNormalization other && other.fusedRelu == fusedRelu
                && other.inputChannelsLast == inputChannelsLast && other.outputChannelsLast == outputChannelsLast
                && other.gammaL1 == gammaL1 && other.weightDecay == weightDecay;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(fusedRelu) * 4 + Boolean.hashCode(inputChannelsLast) * 2
                + Boolean.hashCode(outputChannelsLast) + 31 * Double.hashCode(gammaL1) + 7 * Double.hashCode(weightDecay);
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
