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
 * statistics and fallbacks) with {@link JavaBatchNormHelper} in place of the oneDNN helper.
 * {@link TrainingLayers#strip} turns it back into a stock layer before a model is saved for users.
 */
public class FastBatchNormalization extends BatchNormalization {
    private static final Field HELPER = helperField();

    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public FastBatchNormalization() {
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray paramsView, boolean initializeParams, DataType networkDataType) {
        Layer layer = super.instantiate(conf, listeners, layerIndex, paramsView, initializeParams, networkDataType);
        if (networkDataType == DataType.FLOAT && !isLockGammaBeta()) {
            try {
                HELPER.set(layer, new JavaBatchNormHelper());
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
