package io.netslim.prune;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The paper's pruning rule: pool the scores of every prunable channel, take the threshold at the
 * {@code ratio} percentile, drop channels scoring at or below it. Each group keeps at least
 * {@code minChannels} (its best ones), so no layer is ever emptied, and loses at most
 * {@code maxLayerRatio} of its channels (the paper's per-layer cap for multi-pass slimming).
 */
public final class GlobalThreshold {
    private final double ratio;
    private final int minChannels;
    private final double maxLayerRatio;

    public GlobalThreshold(double ratio, int minChannels) {
        this(ratio, minChannels, 1.0);
    }

    public GlobalThreshold(double ratio, int minChannels, double maxLayerRatio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("prune ratio " + ratio + " outside [0, 1)");
        }
        if (minChannels < 1) {
            throw new IllegalArgumentException("min channels " + minChannels + " < 1");
        }
        if (!(maxLayerRatio > 0 && maxLayerRatio <= 1)) {
            throw new IllegalArgumentException("max layer ratio " + maxLayerRatio + " outside (0, 1]");
        }
        this.ratio = ratio;
        this.minChannels = minChannels;
        this.maxLayerRatio = maxLayerRatio;
    }

    public PrunePlan plan(ComputationGraph graph, DependencyGraph deps, Importance importance) {
        Map<String, double[]> scores = new LinkedHashMap<>();
        deps.groups().values().forEach(g -> scores.put(g.batchNorm(), importance.score(graph, g)));
        double[] all = scores.values().stream().flatMapToDouble(Arrays::stream).sorted().toArray();
        int toRemove = (int) Math.round(all.length * ratio);
        double threshold = toRemove == 0 ? Double.NEGATIVE_INFINITY : all[toRemove - 1];
        Map<String, int[]> keep = new LinkedHashMap<>();
        List<String> notes = new ArrayList<>();
        scores.forEach((bn, s) -> {
            int[] kept = IntStream.range(0, s.length).filter(i -> s[i] > threshold).toArray();
            int byCap = (int) Math.ceil(s.length * (1 - maxLayerRatio) - 1e-9);
            int floor = Math.min(Math.max(minChannels, byCap), s.length);
            if (kept.length < floor) {
                String rule = floor == byCap && byCap > minChannels ? "prune.max-layer-ratio" : "prune.min-channels";
                notes.add(bn + ": threshold would leave " + kept.length + " of " + s.length + " channels; kept the "
                        + floor + " largest (" + rule + ")");
                kept = IntStream.range(0, s.length).boxed()
                        .sorted((a, b) -> Double.compare(s[b], s[a]))
                        .limit(floor).mapToInt(Integer::intValue).sorted().toArray();
            }
            keep.put(bn, kept);
        });
        return new PrunePlan(ratio, threshold, keep, notes);
    }
}
