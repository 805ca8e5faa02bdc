package io.netslim.model.layers;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Swaps stock convolution, batch-norm and activation layers for their faster training-time versions
 * ({@link FastConvolution}, {@link FastBatchNormalization}, {@link FastActivation}) and back. Same parameters, same maths; saved models use stock layers only.
 */
public final class TrainingLayers {
    private TrainingLayers() {
    }

    /** A copy of {@code conf} with the training-time layers in place of stock convolutions and batch norms. */
    public static ComputationGraphConfiguration apply(ComputationGraphConfiguration conf) {
        return LayerSwap.replace(conf, layer -> {
            if (layer.getClass() == ConvolutionLayer.class) {
                return LayerSwap.copyFields(layer, new FastConvolution(), ConvolutionLayer.class);
            }
            if (layer.getClass() == BatchNormalization.class) {
                return LayerSwap.copyFields(layer, new FastBatchNormalization(), BatchNormalization.class);
            }
            if (layer.getClass() == ActivationLayer.class) {
                return LayerSwap.copyFields(layer, new FastActivation(), ActivationLayer.class);
            }
            return layer;
        });
    }

    /** A copy of {@code conf} with stock DL4J layers only (also undoes the sparsity penalty's batch norms). */
    public static ComputationGraphConfiguration strip(ComputationGraphConfiguration conf) {
        return LayerSwap.replace(conf, layer -> {
            if (layer instanceof FastConvolution) {
                return LayerSwap.copyFields(layer, new ConvolutionLayer(), ConvolutionLayer.class);
            }
            if (layer instanceof FastBatchNormalization) {
                return LayerSwap.copyFields(layer, new BatchNormalization(), BatchNormalization.class);
            }
            if (layer instanceof FastActivation) {
                return LayerSwap.copyFields(layer, new ActivationLayer(), ActivationLayer.class);
            }
            return layer;
        });
    }

    /**
     * A training-time twin of {@code stock} that shares its parameter array: fitting the twin trains
     * {@code stock} in place.
     */
    public static ComputationGraph twin(ComputationGraph stock) {
        ComputationGraph fast = new ComputationGraph(apply(stock.getConfiguration()));
        fast.init(stock.params(), false);
        return fast;
    }
}
