package io.netslim.cpu;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * An ActivationLayer configuration for training only, whose runtime layer ({@link FastActivationLayer}) passes
 * data through when the batch norm before it applies the ReLU ({@link #isInputFused}).
 * The training network's way back to stock ({@code io.netslim.train.TrainingNetworks#stock}) turns it back into a
 * stock layer.
 */
public class FastActivation extends ActivationLayer {
    private boolean inputFused;

    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public FastActivation() {
    }

    /** True when the layer feeding this one already applied this ReLU (and applies its derivative). */
    public boolean isInputFused() {
        return inputFused;
    }

    public void setInputFused(boolean inputFused) {
        this.inputFused = inputFused;
    }

    /** True for max(x, 0) without cap, threshold or slope. */
    public boolean isPlainRelu() {
        return getActivationFn() instanceof ActivationReLU relu && relu.getMax() == null
                && relu.getThreshold() == null && relu.getNegativeSlope() == null && getIDropout() == null;
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new FastActivationLayer(conf, networkDataType), conf, listeners, layerIndex, paramsView,
                initializeParams);
    }

    @Override
    public FastActivation clone() {
        return (FastActivation) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof FastActivation other && other.inputFused == inputFused;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(inputFused);
    }
}
