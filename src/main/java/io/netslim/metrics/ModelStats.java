package io.netslim.metrics;

import io.netslim.model.GraphOrder;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parameters and FLOPs counted as the paper counts them: trainable parameters only (BN running mean and
 * variance excluded, as PyTorch's parameters() excludes buffers) and FLOPs = 2 x multiply-adds of the
 * conv and linear layers, for one image. Each layer kind's numbers come from its {@link LayerCost} in
 * {@link LayerCosts}; a layer without one counts all its parameters and no FLOPs.
 */
public record ModelStats(long params, long flops, List<LayerStats> layers) {
    /** Counts {@code graph} for inputs of {@code inputShape} = {channels, height, width}. */
    public static ModelStats of(ComputationGraph graph, long[] inputShape) {
        return of(graph.getConfiguration(), inputShape);
    }

    /** Counts a configuration without building it (an ImageNet VGG needs no 550 MB of weights to be counted). */
    public static ModelStats of(ComputationGraphConfiguration conf, long[] inputShape) {
        Map<String, InputType> activations = conf.getLayerActivationTypes(
                InputType.convolutional(inputShape[1], inputShape[2], inputShape[0]));
        List<LayerStats> layers = new ArrayList<>();
        long params = 0;
        long flops = 0;
        for (String name : GraphOrder.of(conf)) {
            GraphVertex v = conf.getVertices().get(name);
            if (!(v instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            LayerCost cost = LayerCosts.of(layer);
            long p = cost.params(layer);
            long f = cost.flops(layer, activations.get(name));
            if (cost.kind() != null && layer instanceof FeedForwardLayer ff) {
                layers.add(new LayerStats(name, cost.kind(), ff.getNIn(), ff.getNOut(), p, f));
            }
            params += p;
            flops += f;
        }
        return new ModelStats(params, flops, layers);
    }

    /** Looks up one layer by name. */
    public LayerStats layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer " + name));
    }
}
