package io.netslim.prune;

import io.netslim.model.ChannelSelectVertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which BatchNorm channels of a ComputationGraph can be removed, found from the graph's structure. Every
 * path after the BN must go through channel-preserving layers to convs (or, after global pooling, to dense
 * layers). If the BN's input is a plain conv read by nothing else, the conv's filters go too; otherwise
 * (a residual trunk, a concatenation), with channel selection allowed, the BN reads its input through a
 * selection and only its own path shrinks. BNs that cannot be pruned are reported with the reason.
 */
public final class DependencyGraph {
    private final Map<String, ChannelGroup> groups;
    private final Map<String, String> coupled;

    private DependencyGraph(Map<String, ChannelGroup> groups, Map<String, String> coupled) {
        this.groups = groups;
        this.coupled = coupled;
    }

    /**
     * Analyses {@code conf} with channel selection "true", "false" or "auto" (only where nothing can be
     * pruned without it).
     */
    public static DependencyGraph of(ComputationGraphConfiguration conf, String channelSelection) {
        return switch (channelSelection) {
            case "true" -> of(conf, true);
            case "false" -> of(conf, false);
            case "auto" -> {
                DependencyGraph plain = of(conf, false);
                yield plain.groups().isEmpty() ? of(conf, true) : plain;
            }
            default -> throw new IllegalArgumentException("channel selection '" + channelSelection
                    + "': expected auto, true or false");
        };
    }

    /** Analyses {@code conf}; groups come in the graph's topological order. */
    public static DependencyGraph of(ComputationGraphConfiguration conf, boolean channelSelection) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Map<String, List<String>> outputs = new HashMap<>();
        inputs.forEach((v, ins) -> ins.forEach(in -> outputs.computeIfAbsent(in, k -> new ArrayList<>()).add(v)));
        Set<String> networkOutputs = new LinkedHashSet<>(conf.getNetworkOutputs());
        Map<String, ChannelGroup> groups = new LinkedHashMap<>();
        Map<String, String> coupled = new LinkedHashMap<>();
        for (String name : topologicalOrder(conf)) {
            if (!(layerOf(conf, name) instanceof BatchNormalization bn)) {
                continue;
            }
            List<String> in = inputs.getOrDefault(name, List.of());
            String input = in.size() == 1 ? in.get(0) : null;
            String producer = null;
            String selector = null;
            if (input != null && isPlainConv(layerOf(conf, input)) && outputs.get(input).size() == 1) {
                producer = input;
            } else if (input != null && conf.getVertices().get(input) instanceof ChannelSelectVertex) {
                selector = input;
            } else if (!channelSelection || input == null) {
                coupled.put(name, input == null ? "it has no single input"
                        : input + " is not a convolution read only by this BN (channel selection is off)");
                continue;
            }
            List<String> passThrough = new ArrayList<>();
            List<String> consumers = new ArrayList<>();
            String why = walkForward(conf, name, outputs, networkOutputs, passThrough, consumers);
            if (why != null) {
                coupled.put(name, why);
                continue;
            }
            groups.put(name, new ChannelGroup(name, producer, selector, passThrough, consumers, (int) bn.getNOut()));
        }
        return new DependencyGraph(groups, coupled);
    }

    /** Prunable groups by BatchNorm name, in topological order. */
    public Map<String, ChannelGroup> groups() {
        return Collections.unmodifiableMap(groups);
    }

    /** BatchNorms that cannot be pruned on their own, with the reason. */
    public Map<String, String> coupled() {
        return Collections.unmodifiableMap(coupled);
    }

    private static String walkForward(ComputationGraphConfiguration conf, String bn,
                                      Map<String, List<String>> outputs, Set<String> networkOutputs,
                                      List<String> passThrough, List<String> consumers) {
        record Step(String vertex, boolean pooled) {
        }
        Deque<Step> todo = new ArrayDeque<>();
        Set<String> seen = new LinkedHashSet<>();
        if (networkOutputs.contains(bn)) {
            return "it is a network output";
        }
        outputs.getOrDefault(bn, List.of()).forEach(v -> todo.add(new Step(v, false)));
        while (!todo.isEmpty()) {
            Step step = todo.poll();
            if (!seen.add(step.vertex())) {
                continue;
            }
            Layer layer = layerOf(conf, step.vertex());
            if (layer == null) {
                GraphVertex v = conf.getVertices().get(step.vertex());
                return "its channels reach " + step.vertex() + " (" + v.getClass().getSimpleName() + ")";
            }
            if (isPlainConv(layer)) {
                consumers.add(step.vertex());
            } else if ((layer instanceof DenseLayer || layer instanceof BaseOutputLayer) && step.pooled()) {
                consumers.add(step.vertex());
            } else if (isChannelPreserving(layer)) {
                if (networkOutputs.contains(step.vertex())) {
                    return "its channels reach the network output " + step.vertex();
                }
                passThrough.add(step.vertex());
                boolean pooled = step.pooled() || layer instanceof GlobalPoolingLayer;
                outputs.getOrDefault(step.vertex(), List.of()).forEach(v -> todo.add(new Step(v, pooled)));
            } else {
                return "its channels reach " + step.vertex() + " (" + layer.getClass().getSimpleName() + ")";
            }
        }
        return consumers.isEmpty() ? "no layer consumes its channels" : null;
    }

    static boolean isPlainConv(Layer layer) {
        return layer != null && layer.getClass() == ConvolutionLayer.class;
    }

    private static boolean isChannelPreserving(Layer layer) {
        return layer instanceof ActivationLayer || layer instanceof DropoutLayer
                || layer.getClass() == SubsamplingLayer.class || layer instanceof GlobalPoolingLayer
                || layer instanceof ZeroPaddingLayer;
    }

    static Layer layerOf(ComputationGraphConfiguration conf, String vertex) {
        GraphVertex v = conf.getVertices().get(vertex);
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    /** Vertex names in topological order (inputs first). */
    static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        List<String> order = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>(conf.getNetworkInputs());
        List<String> pending = new ArrayList<>(conf.getVertices().keySet());
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                String v = it.next();
                if (done.containsAll(inputs.getOrDefault(v, List.of()))) {
                    order.add(v);
                    done.add(v);
                    it.remove();
                    progress = true;
                }
            }
        }
        return order;
    }
}
