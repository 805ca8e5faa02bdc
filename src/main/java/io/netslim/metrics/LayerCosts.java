package io.netslim.metrics;

import io.netslim.model.layers.LayerSwap;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;

import java.util.Map;

/**
 * The one place that says how each DL4J layer class is counted. Looked up by exact class, as the pruners are:
 * a subclass (DL4J's depthwise convolution extends ConvolutionLayer) computes something else, so it counts
 * all its parameters and no FLOPs until a cost is registered for it. netslim's own subclasses (training-time
 * layers, the sparsity penalty) count as the DL4J layer they extend.
 */
final class LayerCosts {
    /** Any layer without its own cost: all its parameters, no FLOPs, not in the per-layer list. */
    private static final LayerCost UNLISTED = new LayerCost() {
    };
    private static final LayerCost DENSE = new DenseCost();

    private static final Map<Class<? extends Layer>, LayerCost> COSTS = Map.of(
            ConvolutionLayer.class, new ConvolutionCost(),
            SeparableConvolution2D.class, new SeparableConvolutionCost(),
            BatchNormalization.class, new BatchNormCost(),
            DenseLayer.class, DENSE,
            OutputLayer.class, DENSE);

    private LayerCosts() {
    }

    /** The cost of {@code layer}'s kind. */
    static LayerCost of(Layer layer) {
        return COSTS.getOrDefault(LayerSwap.stockClass(layer.getClass()), UNLISTED);
    }
}
