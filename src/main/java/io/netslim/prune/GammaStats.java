package io.netslim.prune;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Arrays;

/**
 * How polarised the prunable BatchNorm scales are: quantiles of |gamma| over every BN channel of every prunable
 * group, and the fractions under 0.01 and 0.05. Sparsity training should leave many near zero; a threshold
 * that lands among large gammas means pruning will cost accuracy.
 */
public record GammaStats(int count, double q10, double q40, double q50, double q90, double under001, double under005) {
    /** The statistics of {@code graph}'s prunable gammas as {@code deps} finds them. */
    public static GammaStats of(ComputationGraph graph, DependencyGraph deps) {
        double[] all = deps.groups().values().stream().flatMap(g -> g.batchNorms().stream()).distinct()
                .flatMapToDouble(bn -> Arrays.stream(graph.getLayer(bn).getParam("gamma").castTo(DataType.DOUBLE)
                        .toDoubleVector()).map(Math::abs))
                .sorted().toArray();
        if (all.length == 0) {
            return new GammaStats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        return new GammaStats(all.length, quantile(all, 0.1), quantile(all, 0.4), quantile(all, 0.5),
                quantile(all, 0.9), below(all, 0.01), below(all, 0.05));
    }

    /** One line for the log. */
    public String line() {
        return String.format(java.util.Locale.ROOT, "|gamma| of %d prunable channels: 10%% %.4g, 40%% %.4g, "
                + "50%% %.4g, 90%% %.4g; %.1f%% under 0.01, %.1f%% under 0.05", count, q10, q40, q50, q90,
                100 * under001, 100 * under005);
    }

    /** The value at fraction {@code q} of the sorted values (the lower one, as the prune threshold is). */
    private static double quantile(double[] sorted, double q) {
        return sorted[Math.max(0, (int) Math.round(sorted.length * q) - 1)];
    }

    private static double below(double[] sorted, double limit) {
        int n = 0;
        while (n < sorted.length && sorted[n] < limit) {
            n++;
        }
        return (double) n / sorted.length;
    }
}
