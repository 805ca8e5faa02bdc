package io.netslim.prune;

import io.netslim.config.JobConfig;
import io.netslim.model.ChannelSelectVertex;
import io.netslim.model.GraphOrder;
import io.netslim.prune.layers.LayerPruner;
import io.netslim.prune.layers.LayerPruners;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;

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
 * Which BatchNorm channels of any DL4J ComputationGraph can be removed, found from the graph's structure alone
 * (no layer names). Every vertex output carries a set of channels; a channel-preserving layer
 * ({@link LayerPruner.Role#PASSES}) and an elementwise vertex (a residual addition) put their inputs' and output's
 * channels into one set, which a conv or dense layer ({@link LayerPruner.Role#CUTS}) ends. A set whose
 * producers are convs each read only by a BatchNorm, and whose readers are all convs or dense layers, prunes as
 * one {@link ChannelGroup}: a free group (one conv, one BN), or a coupled group (several convs and BNs meeting
 * in residual additions, as in post-activation ResNets) when trunk pruning is allowed. A BN that reads channels
 * other layers need (a pre-activation trunk, a concatenation) prunes through a channel selection when allowed.
 * Anything else (a layer kind without a pruner, a concatenation, the network input or output) stops the set, and
 * every BN left out is reported with the vertex and the reason.
 */
public final class DependencyGraph {
    private final Map<String, ChannelGroup> groups;
    private final Map<String, String> coupled;

    private DependencyGraph(Map<String, ChannelGroup> groups, Map<String, String> coupled) {
        this.groups = groups;
        this.coupled = coupled;
    }

    /**
     * Analyses {@code conf} with channel selection true, false or auto (false unless that leaves nothing to
     * prune). true also prunes coupled residual groups and BNs through channel selections.
     */
    public static DependencyGraph of(ComputationGraphConfiguration conf, JobConfig.ChannelSelection channelSelection) {
        return switch (channelSelection) {
            case TRUE -> of(conf, true);
            case FALSE -> of(conf, false);
            case AUTO -> {
                DependencyGraph plain = of(conf, false);
                yield plain.groups().isEmpty() ? of(conf, true) : plain;
            }
        };
    }

    /** Analyses {@code conf}; groups come in the graph's topological order of their first BN. */
    public static DependencyGraph of(ComputationGraphConfiguration conf, boolean channelSelection) {
        return new Analysis(conf, channelSelection).run();
    }

    /** Prunable groups by name (their first BatchNorm's), in topological order. */
    public Map<String, ChannelGroup> groups() {
        return Collections.unmodifiableMap(groups);
    }

    /** BatchNorms that are not pruned, with the reason (naming the vertex that stops them). */
    public Map<String, String> coupled() {
        return Collections.unmodifiableMap(coupled);
    }

    static Layer layerOf(ComputationGraphConfiguration conf, String vertex) {
        GraphVertex v = conf.getVertices().get(vertex);
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    /** The registered pruner of a layer vertex, or null (not a layer, or a layer kind without one). */
    static LayerPruner prunerOf(ComputationGraphConfiguration conf, String vertex) {
        return LayerPruners.of(layerOf(conf, vertex)).orElse(null);
    }

    /** One pass over the graph: channel sets by union-find, then the groups. */
    private static final class Analysis {
        private final ComputationGraphConfiguration conf;
        private final boolean channelSelection;
        private final Map<String, List<String>> inputs;
        private final Map<String, List<String>> readers = new HashMap<>();
        private final List<String> order;
        /** Channel set of each vertex output (by its first vertex); union-find parents. */
        private final Map<String, String> site = new HashMap<>();
        private final Map<String, String> parent = new HashMap<>();
        /** Why a set cannot change, by set (any member; resolved at the end). */
        private final Map<String, List<String>> stops = new LinkedHashMap<>();
        private final Map<String, String> producerOf = new LinkedHashMap<>();
        private final Map<String, String> consumerOf = new LinkedHashMap<>();
        private final Map<String, String> passOf = new LinkedHashMap<>();
        private final Map<String, String> additions = new LinkedHashMap<>();

        Analysis(ComputationGraphConfiguration conf, boolean channelSelection) {
            this.conf = conf;
            this.channelSelection = channelSelection;
            this.inputs = conf.getVertexInputs();
            inputs.forEach((v, ins) -> ins.forEach(in -> readers.computeIfAbsent(in, k -> new ArrayList<>()).add(v)));
            this.order = GraphOrder.of(conf);
        }

        DependencyGraph run() {
            for (String in : conf.getNetworkInputs()) {
                stop(newSite(in), "its channels come from the network input " + in);
            }
            for (String v : order) {
                visit(v, inputs.getOrDefault(v, List.of()));
            }
            for (String out : conf.getNetworkOutputs()) {
                stop(site.get(out), "its channels reach the network output " + out);
            }
            return groups();
        }

        private void visit(String v, List<String> ins) {
            GraphVertex vertex = conf.getVertices().get(v);
            if (vertex instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                LayerPruner pruner = LayerPruners.of(layer).orElse(null);
                String why = pruner == null ? "netslim has no pruner for " + layer.getClass().getSimpleName()
                        : pruner.refusal(lv);
                if (why != null) {
                    refuse(v, ins, kind(vertex) + ": " + why);
                } else if (ins.size() != 1) {
                    refuse(v, ins, kind(vertex) + " with " + ins.size() + " inputs");
                } else if (pruner.role() == LayerPruner.Role.PASSES) {
                    site.put(v, find(site.get(ins.get(0))));
                    passOf.put(v, v);
                } else {
                    consumerOf.put(v, site.get(ins.get(0)));
                    String out = newSite(v);
                    producerOf.put(v, out);
                    String outWhy = pruner.outputRefusal(lv);
                    if (outWhy != null) {
                        stop(out, "its channels come from " + kind(vertex) + ": " + outWhy);
                    }
                }
            } else if (vertex instanceof ElementWiseVertex && !ins.isEmpty()) {
                String s = find(site.get(ins.get(0)));
                for (String in : ins) {
                    s = union(s, site.get(in));
                }
                site.put(v, s);
                additions.put(v, v);
            } else {
                String why = vertex instanceof ChannelSelectVertex ? "a channel selection"
                        : "netslim cannot prune through a " + vertex.getClass().getSimpleName();
                refuse(v, ins, kind(vertex) + ": " + why);
            }
        }

        /** {@code v} ends the sets of its inputs and starts one that cannot change either. */
        private void refuse(String v, List<String> ins, String why) {
            for (String in : ins) {
                stop(site.get(in), "its channels reach " + why);
            }
            stop(newSite(v), "its channels come from " + why);
        }

        private String kind(GraphVertex vertex) {
            String name = conf.getVertices().entrySet().stream().filter(e -> e.getValue() == vertex)
                    .map(Map.Entry::getKey).findFirst().orElse("?");
            Object what = vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : vertex;
            return name + " (" + what.getClass().getSimpleName() + ")";
        }

        private String newSite(String v) {
            site.put(v, v);
            parent.put(v, v);
            return v;
        }

        private String find(String s) {
            String root = s;
            while (!parent.get(root).equals(root)) {
                root = parent.get(root);
            }
            parent.put(s, root);
            return root;
        }

        private String union(String a, String b) {
            String ra = find(a);
            String rb = find(b);
            if (!ra.equals(rb)) {
                parent.put(rb, ra);
            }
            return ra;
        }

        private void stop(String s, String why) {
            stops.computeIfAbsent(s, k -> new ArrayList<>()).add(why);
        }

        /** Members of one channel set, in topological order. */
        private final class ChannelSet {
            final List<String> producers = new ArrayList<>();
            final List<String> consumers = new ArrayList<>();
            final List<String> passThrough = new ArrayList<>();
            final List<String> batchNorms = new ArrayList<>();
            final List<String> additions = new ArrayList<>();
            final List<String> stops = new ArrayList<>();
        }

        private DependencyGraph groups() {
            Map<String, ChannelSet> sets = new LinkedHashMap<>();
            java.util.function.Function<String, ChannelSet> setOf = s -> sets.computeIfAbsent(find(s),
                    k -> new ChannelSet());
            stops.forEach((s, why) -> setOf.apply(s).stops.addAll(why));
            for (String v : order) {
                if (producerOf.containsKey(v)) {
                    setOf.apply(producerOf.get(v)).producers.add(v);
                }
                if (consumerOf.containsKey(v)) {
                    setOf.apply(consumerOf.get(v)).consumers.add(v);
                }
                if (passOf.containsKey(v)) {
                    ChannelSet set = setOf.apply(site.get(v));
                    set.passThrough.add(v);
                    if (layerOf(conf, v) instanceof BatchNormalization) {
                        set.batchNorms.add(v);
                    }
                }
                if (additions.containsKey(v)) {
                    setOf.apply(site.get(v)).additions.add(v);
                }
            }
            Map<String, ChannelGroup> found = new LinkedHashMap<>();
            Map<String, String> left = new LinkedHashMap<>();
            for (ChannelSet set : sets.values()) {
                List<String> readingBns = set.batchNorms.stream().filter(bn -> !producerSide(bn)).toList();
                List<String> producerBns = set.batchNorms.stream().filter(this::producerSide).toList();
                if (!producerBns.isEmpty()) {
                    String why = whyNot(set, readingBns);
                    if (why == null && set.producers.size() > 1 && !channelSelection) {
                        why = "it is coupled with " + (producerBns.size() - 1) + " other BatchNorm(s) through the"
                                + " residual addition(s) " + String.join(", ", set.additions)
                                + "; prune.channel-selection = true prunes them as one group";
                    }
                    if (why == null) {
                        int channels = (int) ((BatchNormalization) layerOf(conf, producerBns.get(0))).getNOut();
                        List<String> pass = set.passThrough.stream().filter(p -> !producerBns.contains(p)).toList();
                        found.put(producerBns.get(0), new ChannelGroup(producerBns.get(0), producerBns,
                                set.producers, null, pass, set.consumers, channels));
                    } else {
                        String reason = why;
                        producerBns.forEach(bn -> left.put(bn, reason));
                    }
                }
                for (String bn : readingBns) {
                    selectionGroup(bn, found, left);
                }
            }
            Map<String, ChannelGroup> sorted = new LinkedHashMap<>();
            Map<String, String> sortedLeft = new LinkedHashMap<>();
            for (String v : order) {
                if (found.containsKey(v)) {
                    sorted.put(v, found.get(v));
                }
                if (left.containsKey(v)) {
                    sortedLeft.put(v, left.get(v));
                }
            }
            return new DependencyGraph(sorted, sortedLeft);
        }

        /** Why the set of a producer-side BN cannot be cut at its producers, or null when it can. */
        private String whyNot(ChannelSet set, List<String> readingBns) {
            if (!set.stops.isEmpty()) {
                return set.stops.get(0);
            }
            if (!readingBns.isEmpty()) {
                return "its channels are also read by " + readingBns.get(0) + ", which does not follow a conv";
            }
            for (String p : set.producers) {
                List<String> r = readers.getOrDefault(p, List.of());
                if (r.size() != 1 || !(layerOf(conf, r.get(0)) instanceof BatchNormalization)) {
                    return "its channels also come from " + p + ", which no BatchNorm alone follows";
                }
            }
            return set.consumers.isEmpty() ? "no layer consumes its channels" : null;
        }

        /** True when {@code bn} reads a conv (or dense) layer that nothing else reads. */
        private boolean producerSide(String bn) {
            List<String> in = inputs.getOrDefault(bn, List.of());
            return in.size() == 1 && producerOf.containsKey(in.get(0))
                    && readers.getOrDefault(in.get(0), List.of()).size() == 1;
        }

        /** A BN reading shared channels: prunable through a selection of what it reads, if allowed. */
        private void selectionGroup(String bn, Map<String, ChannelGroup> found, Map<String, String> left) {
            List<String> in = inputs.getOrDefault(bn, List.of());
            String input = in.size() == 1 ? in.get(0) : null;
            String selector = input != null && conf.getVertices().get(input) instanceof ChannelSelectVertex
                    ? input : null;
            if (selector == null && (!channelSelection || input == null)) {
                left.put(bn, input == null ? "it has no single input"
                        : "it reads " + input + ", whose channels other layers also need (channel selection is off)");
                return;
            }
            List<String> passThrough = new ArrayList<>();
            List<String> consumers = new ArrayList<>();
            String why = walkForward(bn, passThrough, consumers);
            if (why != null) {
                left.put(bn, why);
                return;
            }
            int channels = (int) ((BatchNormalization) layerOf(conf, bn)).getNOut();
            found.put(bn, new ChannelGroup(bn, List.of(bn), List.of(), selector, passThrough, consumers, channels));
        }

        /** Follows {@code bn}'s channels through channel-preserving layers to the layers that consume them. */
        private String walkForward(String bn, List<String> passThrough, List<String> consumers) {
            Set<String> networkOutputs = new LinkedHashSet<>(conf.getNetworkOutputs());
            if (networkOutputs.contains(bn)) {
                return "it is a network output";
            }
            Deque<String> todo = new ArrayDeque<>(readers.getOrDefault(bn, List.of()));
            Set<String> seen = new LinkedHashSet<>();
            while (!todo.isEmpty()) {
                String v = todo.poll();
                if (!seen.add(v)) {
                    continue;
                }
                GraphVertex vertex = conf.getVertices().get(v);
                LayerPruner pruner = prunerOf(conf, v);
                String why;
                if (pruner == null) {
                    why = vertex instanceof LayerVertex lv
                            ? "netslim has no pruner for " + lv.getLayerConf().getLayer().getClass().getSimpleName()
                            : "a selection before one BN cannot narrow what a " + vertex.getClass().getSimpleName()
                            + " reads from elsewhere";
                } else {
                    why = pruner.refusal((LayerVertex) vertex);
                    if (why == null && inputs.get(v).size() != 1) {
                        why = "it has " + inputs.get(v).size() + " inputs";
                    }
                }
                if (why != null) {
                    return "its channels reach " + kind(vertex) + ": " + why;
                }
                if (pruner.role() == LayerPruner.Role.CUTS) {
                    consumers.add(v);
                } else {
                    if (networkOutputs.contains(v)) {
                        return "its channels reach the network output " + v;
                    }
                    passThrough.add(v);
                    todo.addAll(readers.getOrDefault(v, List.of()));
                }
            }
            return consumers.isEmpty() ? "no layer consumes its channels" : null;
        }
    }
}
