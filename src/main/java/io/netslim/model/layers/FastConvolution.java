package io.netslim.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A ConvolutionLayer configuration for training only, whose runtime layer ({@link FastConvolutionLayer}) does not
 * compute the forward pass a second time during backprop. {@link TrainingLayers#strip} turns it back into a
 * stock layer before a model is saved for users.
 */
public class FastConvolution extends ConvolutionLayer {
    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public FastConvolution() {
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
}
