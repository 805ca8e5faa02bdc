package io.netslim.metrics;

import io.netslim.prune.DependencyGraph;
import io.netslim.prune.layers.LayerPruner;
import io.netslim.prune.layers.LayerPruners;
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
 * conv and linear layers, for one image. Each layer kind's numbers come from its {@link LayerPruner}; a layer
 * without one counts all its parameters and no FLOPs.
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
        for (String name : DependencyGraph.topologicalOrder(conf)) {
            GraphVertex v = conf.getVertices().get(name);
            if (!(v instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            LayerPruner pruner = LayerPruners.of(layer).orElse(null);
            long p = pruner == null ? layer.initializer().numParams(layer) : pruner.params(layer);
            long f = 0;
            if (pruner != null) {
                List<String> in = conf.getVertexInputs().get(name);
                InputType inType = in == null || in.size() != 1 ? null : activations.get(in.get(0));
                f = pruner.flops(layer, inType, activations.get(name));
                if (pruner.kind() != null && layer instanceof FeedForwardLayer ff) {
                    layers.add(new LayerStats(name, pruner.kind(), ff.getNIn(), ff.getNOut(), p, f));
                }
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
