package io.netslim.model.layers;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * An ActivationLayer configuration for training only, whose runtime layer ({@link FastActivationLayer}) does
 * ReLU in one Java pass each way. {@link TrainingLayers#strip} turns it back into a stock layer.
 */
public class FastActivation extends ActivationLayer {
    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public FastActivation() {
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        FastActivationLayer layer = new FastActivationLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(paramsView);
        layer.setParamTable(initializer().init(conf, paramsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public FastActivation clone() {
        return (FastActivation) super.clone();
    }
}
