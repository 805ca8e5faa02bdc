package io.netslim.pipeline;

import io.netslim.config.JobConfig;
import io.netslim.metrics.ModelStats;
import io.netslim.prune.PruneBudget;

import java.util.Optional;

/** The configured pruning budget ({@code prune.keep-flops} or {@code prune.keep-params}), counted as ModelStats counts. */
final class Budgets {
    private Budgets() {
    }

    /** The budget in effect for inputs of {@code inputShape}, or empty when pruning by ratio. */
    static Optional<PruneBudget> of(JobConfig.PruneConfig prune, long[] inputShape) {
        if (prune.keepFlops() > 0) {
            return Optional.of(new PruneBudget("prune.keep-flops", "FLOPs", prune.keepFlops(),
                    conf -> ModelStats.of(conf, inputShape).flops()));
        }
        if (prune.keepParams() > 0) {
            return Optional.of(new PruneBudget("prune.keep-params", "parameters", prune.keepParams(),
                    conf -> ModelStats.of(conf, inputShape).params()));
        }
        return Optional.empty();
    }
}
