package io.netslim.prune;

import io.netslim.model.ChannelSelectVertex;
import io.netslim.prune.layers.LayerPruner;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the genuinely smaller network a {@link PrunePlan} describes: a new ComputationGraph whose
 * convs, BatchNorms and dense layers have fewer channels, holding the surviving weights, biases and BN
 * statistics of the original. Each layer is cut by its {@link LayerPruner}. The original is left untouched.
 */
public final class NetworkSurgeon {
    private NetworkSurgeon() {
    }

    public static ComputationGraph prune(ComputationGraph original, DependencyGraph deps, PrunePlan plan) {
        Cut cut = cut(original.getConfiguration(), deps, plan);
        ComputationGraphConfiguration conf = cut.conf();
        Map<String, long[]> outKeep = cut.outKeep();
        Map<String, long[]> inKeep = cut.inKeep();
        Set<String> changed = cut.changed();
        ComputationGraph pruned = new ComputationGraph(conf);
        pruned.init();

        for (org.deeplearning4j.nn.api.Layer layer : pruned.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            Map<String, INDArray> oldParams = original.getLayer(name).paramTable();
            boolean isCut = changed.contains(name);
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray source = oldParams.get(p.getKey());
                INDArray sliced = isCut ? pruner(conf, name).slice(vertex(conf, name), p.getKey(), source,
                        outKeep.get(name), inKeep.get(name)) : source;
                if (!Arrays.equals(sliced.shape(), p.getValue().shape())) {
                    throw new IllegalStateException("surgery on " + name + "/" + p.getKey() + ": got shape "
                            + Arrays.toString(sliced.shape()) + ", expected " + Arrays.toString(p.getValue().shape()));
                }
                p.getValue().assign(sliced);
            }
        }
        return pruned;
    }

    /**
     * The configuration of the network {@code plan} leaves, without building it or copying weights (counting
     * params and FLOPs of many candidate plans, as pruning to a budget does).
     */
    public static ComputationGraphConfiguration configuration(ComputationGraphConfiguration original,
                                                              DependencyGraph deps, PrunePlan plan) {
        return cut(original, deps, plan).conf();
    }

    /** The pruned configuration and, per layer, the output and input channels it keeps. */
    private record Cut(ComputationGraphConfiguration conf, Map<String, long[]> outKeep, Map<String, long[]> inKeep,
                       Set<String> changed) {
    }

    private static Cut cut(ComputationGraphConfiguration original, DependencyGraph deps, PrunePlan plan) {
        Map<String, long[]> outKeep = new HashMap<>();
        Map<String, long[]> inKeep = new HashMap<>();
        plan.keep().forEach((name, kept) -> {
            ChannelGroup g = deps.groups().get(name);
            if (g == null) {
                throw new IllegalArgumentException("plan prunes " + name + ", which is not a prunable group");
            }
            long[] k = Arrays.stream(kept).asLongStream().toArray();
            g.producers().forEach(p -> put(outKeep, p, k));
            for (List<String> passing : List.of(g.batchNorms(), g.passThrough())) {
                passing.forEach(p -> {
                    put(outKeep, p, k);
                    put(inKeep, p, k);
                });
            }
            g.consumers().forEach(c -> put(inKeep, c, k));
        });

        ComputationGraphConfiguration conf = original.clone();
        plan.keep().forEach((name, kept) -> {
            ChannelGroup g = deps.groups().get(name);
            if (g.bySelection()) {
                select(conf, g, kept);
            }
        });
        Set<String> changed = new HashSet<>(outKeep.keySet());
        changed.addAll(inKeep.keySet());
        for (String name : changed) {
            long[] in = inKeep.get(name);
            long[] out = outKeep.get(name);
            pruner(conf, name).setChannels(vertex(conf, name), in == null ? -1 : in.length,
                    out == null ? -1 : out.length);
        }
        return new Cut(conf, outKeep, inKeep, changed);
    }

    /** Records the kept channels of one side of a layer; a layer in two groups would be a dependency bug. */
    private static void put(Map<String, long[]> keep, String layer, long[] kept) {
        if (keep.put(layer, kept) != null) {
            throw new IllegalStateException(layer + " belongs to two channel groups");
        }
    }

    private static LayerVertex vertex(ComputationGraphConfiguration conf, String name) {
        return (LayerVertex) conf.getVertices().get(name);
    }

    private static LayerPruner pruner(ComputationGraphConfiguration conf, String name) {
        LayerPruner pruner = DependencyGraph.prunerOf(conf, name);
        if (pruner == null) {
            throw new IllegalStateException(name + " has no pruner to change its channels");
        }
        return pruner;
    }

    /** Makes the BN of {@code g} read only channels {@code kept} of its input, through a selection vertex. */
    private static void select(ComputationGraphConfiguration conf, ChannelGroup g, int[] kept) {
        if (g.selector() != null) {
            int[] before = ((ChannelSelectVertex) conf.getVertices().get(g.selector())).getChannels();
            int[] composed = Arrays.stream(kept).map(i -> before[i]).toArray();
            conf.getVertices().put(g.selector(), new ChannelSelectVertex(composed));
            return;
        }
        String name = g.batchNorm() + "_select";
        if (conf.getVertices().containsKey(name)) {
            throw new IllegalStateException("vertex " + name + " exists already");
        }
        List<String> input = conf.getVertexInputs().get(g.batchNorm());
        conf.getVertices().put(name, new ChannelSelectVertex(kept));
        conf.getVertexInputs().put(name, new ArrayList<>(input));
        conf.getVertexInputs().put(g.batchNorm(), new ArrayList<>(List.of(name)));
    }
}
