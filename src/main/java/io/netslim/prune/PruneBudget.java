package io.netslim.prune;

import io.netslim.config.ConfigException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Pruning to a budget ({@code prune.keep-flops}, {@code prune.keep-params}) instead of a ratio: the global
 * threshold is found by exact counting, a bisection over the sorted channel scores where every step plans with
 * the job's per-group rules (min-channels, max-layer-ratio, channel-multiple) and counts the configuration the
 * plan leaves. The result keeps at most the target fraction and as much as possible under it: within one
 * channel's worth, which is within a percentage point unless the rules step further (then the notes say so).
 */
public final class PruneBudget {
    private final String key;
    private final String measure;
    private final double keep;
    private final ToLongFunction<ComputationGraphConfiguration> count;

    /**
     * A budget keeping at most {@code keep} of what {@code count} measures (FLOPs or params of a configuration);
     * {@code key} and {@code measure} name the config key and the quantity in messages.
     */
    public PruneBudget(String key, String measure, double keep, ToLongFunction<ComputationGraphConfiguration> count) {
        if (!(keep > 0 && keep < 1)) {
            throw new IllegalArgumentException(key + " = " + keep + " outside (0, 1)");
        }
        this.key = key;
        this.measure = measure;
        this.keep = keep;
        this.count = count;
    }

    /** The plan meeting the budget, and what it achieves. */
    public record Result(PrunePlan plan, String key, double target, double achieved, long before, long after) {
    }

    /**
     * The least pruning (the fewest channels removed, lowest scores first) that keeps at most the target fraction.
     * A target the rules cannot reach is a {@link ConfigException} naming the key, the rules and the reachable
     * fraction.
     */
    public Result plan(ComputationGraph graph, DependencyGraph deps, Importance importance, GlobalThreshold rules) {
        Map<String, double[]> scores = GlobalThreshold.scores(graph, deps, importance);
        int total = scores.values().stream().mapToInt(s -> s.length).sum();
        ComputationGraphConfiguration conf = graph.getConfiguration();
        long before = count.applyAsLong(conf);
        long limit = (long) Math.floor(keep * before);
        PrunePlan most = rules.plan(scores, total);
        long least = checkReachable(conf, deps, most, rules);
        // Smallest k with count(k) <= limit; count(k) does not grow with k (each plan's kept channels contain the next's).
        int lo = 0;
        int hi = total;
        PrunePlan best = most;
        long bestCount = least;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            PrunePlan p = rules.plan(scores, mid);
            long c = after(conf, deps, p);
            if (c <= limit) {
                hi = mid;
                best = p;
                bestCount = c;
            } else {
                lo = mid + 1;
            }
        }
        double achieved = (double) bestCount / before;
        List<String> notes = new ArrayList<>(best.notes());
        if (keep - achieved > 0.01) {
            double next = lo == 0 ? 1.0 : (double) after(conf, deps, rules.plan(scores, lo - 1)) / before;
            notes.add(String.format("%s = %s: kept %.4f of the %s, the closest the rules allow (one channel less "
                    + "pruned keeps %.4f)", key, keep, achieved, measure, next));
        }
        PrunePlan plan = new PrunePlan(best.ratio(), best.threshold(), best.keep(), notes);
        return new Result(plan, key, keep, achieved, before, bestCount);
    }

    /**
     * Checks before training that the rules can reach the target on {@code conf}: how far they let a network be
     * pruned depends on its channel counts only, not on the scores.
     */
    public void checkReachable(ComputationGraphConfiguration conf, DependencyGraph deps, GlobalThreshold rules) {
        Map<String, double[]> anyScores = new java.util.LinkedHashMap<>();
        deps.groups().values().forEach(g -> anyScores.put(g.name(),
                java.util.stream.IntStream.range(0, g.channels()).asDoubleStream().toArray()));
        int total = anyScores.values().stream().mapToInt(s -> s.length).sum();
        checkReachable(conf, deps, rules.plan(anyScores, total), rules);
    }

    /** The count of the most pruned network {@code most}; a {@link ConfigException} when it exceeds the target. */
    private long checkReachable(ComputationGraphConfiguration conf, DependencyGraph deps, PrunePlan most,
                                GlobalThreshold rules) {
        long before = count.applyAsLong(conf);
        long least = after(conf, deps, most);
        if (least > (long) Math.floor(keep * before)) {
            throw new ConfigException(String.format("%s = %s cannot be met: with %s the most pruned network keeps "
                            + "%.4f of the %s (%d of %d); set %s to at least %.4f, or relax those rules", key, keep,
                    rules.rules(), (double) least / before, measure, least, before, key,
                    Math.ceil((double) least / before * 1e4) / 1e4));
        }
        return least;
    }

    private long after(ComputationGraphConfiguration conf, DependencyGraph deps, PrunePlan plan) {
        return count.applyAsLong(NetworkSurgeon.configuration(conf, deps, plan));
    }
}
