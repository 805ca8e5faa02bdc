package io.netslim.prune;

import io.netslim.config.JobConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Network Slimming's prune step, the one sequence every caller uses (pipeline, sweep, search, benchmarks): the
 * dependency graph of the network, channel scores by the configured importance, the global threshold's plan,
 * and the surgery that builds the smaller dense network.
 */
public final class Pruner {
    private final JobConfig.PruneConfig cfg;
    private final Importance importance;
    /** Prunes to this budget instead of a ratio; null: by ratio. */
    private final PruneBudget budget;

    private Pruner(JobConfig.PruneConfig cfg, Importance importance, PruneBudget budget) {
        this.cfg = cfg;
        this.importance = importance;
        this.budget = budget;
    }

    /** The job's pruning rules ({@code prune.*}) with the importance criterion {@code prune.importance}. */
    public static Pruner of(JobConfig.PruneConfig cfg) {
        return new Pruner(cfg, Importances.create(cfg.importance()), null);
    }

    /** The same rules pruning to {@code target} (prune.keep-flops, prune.keep-params) instead of a ratio. */
    public Pruner toBudget(PruneBudget target) {
        return new Pruner(cfg, importance, target);
    }

    /** The groups of channels that prune together in {@code graph}. */
    public DependencyGraph dependencies(ComputationGraph graph) {
        return DependencyGraph.of(graph.getConfiguration(), cfg.channelSelection());
    }

    /** Every prunable group's channel scores under the configured importance, by group name. */
    public java.util.Map<String, double[]> scores(ComputationGraph graph, DependencyGraph deps) {
        return GlobalThreshold.scores(graph, deps, importance);
    }

    /**
     * Prunes {@code graph} (left unchanged) at {@code ratio} of its prunable channels, or to the budget. A network
     * without any prunable group (e.g. one still holding training-time layers) is an error naming {@code model}.
     */
    public Result prune(ComputationGraph graph, double ratio, String model) {
        return prune(graph, dependencies(graph), ratio, model);
    }

    /** {@link #prune(ComputationGraph, double, String)} with the dependencies already worked out. */
    public Result prune(ComputationGraph graph, DependencyGraph deps, double ratio, String model) {
        if (deps.groups().isEmpty()) {
            throw new IllegalStateException(model + ": no prunable channel group (prune.channel-selection = "
                    + cfg.channelSelection().key() + "); nothing would be pruned");
        }
        GlobalThreshold rules = GlobalThreshold.of(cfg, ratio);
        PruneBudget.Result met = budget == null ? null : budget.plan(graph, deps, importance, rules);
        PrunePlan plan = met != null ? met.plan() : rules.plan(graph, deps, importance);
        return new Result(deps, plan, NetworkSurgeon.prune(graph, deps, plan), met);
    }

    /** A pruning's plan, the network it built and, when pruned to a budget, how the budget was met (else null). */
    public record Result(DependencyGraph deps, PrunePlan plan, ComputationGraph pruned, PruneBudget.Result budget) {
        /** Channels of every prunable group before pruning. */
        public int prunableChannels() {
            return deps.groups().values().stream().mapToInt(ChannelGroup::channels).sum();
        }

        /** Channels the plan removed. */
        public int removedChannels() {
            return plan.removedChannels(deps);
        }
    }
}
