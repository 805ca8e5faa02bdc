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
 * {@code ratio} percentile, drop channels scoring at or below it; each group keeps at least
 * {@code minChannels} (its best ones), so no layer is ever emptied.
 */
public final class GlobalThreshold {
    private final double ratio;
    private final int minChannels;

    public GlobalThreshold(double ratio, int minChannels) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("prune ratio " + ratio + " outside [0, 1)");
        }
        if (minChannels < 1) {
            throw new IllegalArgumentException("min channels " + minChannels + " < 1");
        }
        this.ratio = ratio;
        this.minChannels = minChannels;
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
            int floor = Math.min(minChannels, s.length);
            if (kept.length < floor) {
                kept = IntStream.range(0, s.length).boxed()
                        .sorted((a, b) -> Double.compare(s[b], s[a]))
                        .limit(floor).mapToInt(Integer::intValue).sorted().toArray();
                notes.add(bn + ": threshold would leave " + IntStream.range(0, s.length).filter(i -> s[i] > threshold)
                        .count() + " of " + s.length + " channels; kept the " + floor + " largest (prune.min-channels)");
            }
            keep.put(bn, kept);
        });
        return new PrunePlan(ratio, threshold, keep, notes);
    }
}
