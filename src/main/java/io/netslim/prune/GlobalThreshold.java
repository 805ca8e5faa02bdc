package io.netslim.prune;

import io.netslim.config.JobConfig;
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
 * {@code maxLayerRatio} of its channels (the paper's per-layer cap for multi-pass slimming). With a
 * {@code channelMultiple} above 1, each group keeps a multiple of it (its best ones, rounding up, never more than
 * it has): oneDNN computes convolutions in blocks of 8 channels on AVX2 (16 on AVX-512), so a layer cut from
 * 16 to 11 channels costs as much time as one of 16 ({@code io.netslim.cpu.ConvolutionBlock} finds the block).
 */
public final class GlobalThreshold {
    private final double ratio;
    private final int minChannels;
    private final double maxLayerRatio;
    private final int channelMultiple;

    public GlobalThreshold(double ratio, int minChannels) {
        this(ratio, minChannels, 1.0);
    }

    public GlobalThreshold(double ratio, int minChannels, double maxLayerRatio) {
        this(ratio, minChannels, maxLayerRatio, 1);
    }

    /**
     * The job's pruning rule ({@code prune.*}) at the given ratio; {@code prune.channel-multiple = auto} must have
     * been resolved ({@link JobConfig.PruneConfig#withChannelMultiple}).
     */
    public static GlobalThreshold of(JobConfig.PruneConfig p, double ratio) {
        if (p.channelMultipleAuto()) {
            throw new IllegalStateException("prune.channel-multiple = auto was not resolved to a channel count "
                    + "before pruning");
        }
        return new GlobalThreshold(ratio, p.minChannels(), p.maxLayerRatio(), p.channelMultiple());
    }

    public GlobalThreshold(double ratio, int minChannels, double maxLayerRatio, int channelMultiple) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new IllegalArgumentException("prune ratio " + ratio + " outside [0, 1)");
        }
        if (minChannels < 1) {
            throw new IllegalArgumentException("min channels " + minChannels + " < 1");
        }
        if (!(maxLayerRatio > 0 && maxLayerRatio <= 1)) {
            throw new IllegalArgumentException("max layer ratio " + maxLayerRatio + " outside (0, 1]");
        }
        if (channelMultiple < 1) {
            throw new IllegalArgumentException("channel multiple " + channelMultiple + " < 1");
        }
        this.channelMultiple = channelMultiple;
        this.ratio = ratio;
        this.minChannels = minChannels;
        this.maxLayerRatio = maxLayerRatio;
    }

    public PrunePlan plan(ComputationGraph graph, DependencyGraph deps, Importance importance) {
        Map<String, double[]> scores = scores(graph, deps, importance);
        int total = scores.values().stream().mapToInt(s -> s.length).sum();
        return plan(scores, (int) Math.round(total * ratio), ratio);
    }

    /** The score of every prunable channel, by group (the group's key in a {@link PrunePlan}). */
    public static Map<String, double[]> scores(ComputationGraph graph, DependencyGraph deps, Importance importance) {
        Map<String, double[]> scores = new LinkedHashMap<>();
        deps.groups().values().forEach(g -> scores.put(g.name(), importance.score(graph, g)));
        return scores;
    }

    /**
     * The plan that removes the {@code toRemove} lowest of all {@code scores} (channels tied with the last of them
     * go too), then applies this rule's per-group floors and multiples; its ratio is {@code toRemove} over all.
     */
    public PrunePlan plan(Map<String, double[]> scores, int toRemove) {
        int total = scores.values().stream().mapToInt(s -> s.length).sum();
        return plan(scores, toRemove, total == 0 ? 0 : (double) toRemove / total);
    }

    private PrunePlan plan(Map<String, double[]> scores, int toRemove, double planRatio) {
        double[] all = scores.values().stream().flatMapToDouble(Arrays::stream).sorted().toArray();
        if (toRemove < 0 || toRemove > all.length) {
            throw new IllegalArgumentException("remove " + toRemove + " of " + all.length + " channels");
        }
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
                kept = best(s, floor);
            }
            int rounded = Math.min(s.length, (kept.length + channelMultiple - 1) / channelMultiple * channelMultiple);
            if (rounded > kept.length) {
                kept = best(s, rounded);
            }
            keep.put(bn, kept);
        });
        return new PrunePlan(planRatio, threshold, keep, notes);
    }

    /** The per-group rules as config keys, for messages. */
    public String rules() {
        return "prune.min-channels = " + minChannels + ", prune.max-layer-ratio = " + maxLayerRatio
                + ", prune.channel-multiple = " + channelMultiple;
    }

    /** The indices of the {@code n} highest scores, in channel order. */
    private static int[] best(double[] s, int n) {
        return IntStream.range(0, s.length).boxed()
                .sorted((a, b) -> Double.compare(s[b], s[a]))
                .limit(n).mapToInt(Integer::intValue).sorted().toArray();
    }
}
