package io.netslim.cpu;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A ConvolutionLayer configuration for training only, whose runtime layer ({@link FastConvolutionLayer}) does not
 * compute the forward pass a second time during backprop, and runs on oneDNN directly when its input or output
 * is channels-last ({@link ChannelsLast}). The training network's way back to stock
 * ({@code io.netslim.train.TrainingNetworks#stock}) turns it back into a stock layer before a model is saved for users.
 */
public class FastConvolution extends ConvolutionLayer {
    private boolean inputChannelsLast;
    private boolean outputChannelsLast;

    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public FastConvolution() {
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

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        return LayerWiring.wire(new FastConvolutionLayer(conf, networkDataType), conf, listeners, layerIndex,
                paramsView, initializeParams);
    }

    @Override
    public FastConvolution clone() {
        return (FastConvolution) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof FastConvolution other && other.inputChannelsLast == inputChannelsLast
                && other.outputChannelsLast == outputChannelsLast;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Boolean.hashCode(inputChannelsLast) * 2 + Boolean.hashCode(outputChannelsLast);
    }
}
