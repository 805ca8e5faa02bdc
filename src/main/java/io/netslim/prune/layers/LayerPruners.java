package io.netslim.prune.layers;

import io.netslim.model.layers.LayerSwap;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

import java.util.Map;
import java.util.Optional;

/**
 * The one place that says which pruner handles which DL4J layer class. Looked up by exact class: a subclass
 * (DL4J's depthwise and separable convolutions extend ConvolutionLayer) computes something else, so it gets
 * no pruner until one is registered for it, and graphs reaching it are refused rather than cut wrongly. netslim's
 * own subclasses (training-time layers, the sparsity penalty) compute what their DL4J parent computes and are
 * looked up as it, without naming them (so that pruning loads no CPU kernel class).
 */
public final class LayerPruners {
    private static final LayerPruner CONV = new ConvolutionPruner();
    private static final LayerPruner BN = new BatchNormPruner();
    private static final LayerPruner DENSE = new DensePruner();
    private static final LayerPruner CHANNELWISE = new ChannelwisePruner();

    private static final Map<Class<? extends Layer>, LayerPruner> PRUNERS = Map.ofEntries(
            Map.entry(ConvolutionLayer.class, CONV),
            Map.entry(SeparableConvolution2D.class, new SeparableConvolutionPruner()),
            Map.entry(BatchNormalization.class, BN),
            Map.entry(DenseLayer.class, DENSE),
            Map.entry(OutputLayer.class, DENSE),
            Map.entry(ActivationLayer.class, CHANNELWISE),
            Map.entry(SubsamplingLayer.class, CHANNELWISE),
            Map.entry(GlobalPoolingLayer.class, CHANNELWISE),
            Map.entry(ZeroPaddingLayer.class, CHANNELWISE),
            Map.entry(DropoutLayer.class, CHANNELWISE));

    private LayerPruners() {
    }

    /** The pruner of {@code layer}'s exact class, if one is registered. */
    public static Optional<LayerPruner> of(Layer layer) {
        return Optional.ofNullable(layer == null ? null : PRUNERS.get(LayerSwap.stockClass(layer.getClass())));
    }
}
