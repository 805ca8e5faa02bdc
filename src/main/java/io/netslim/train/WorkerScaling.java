package io.netslim.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;

/**
 * How sparsity training follows the number of workers ({@code train.worker-scaling}). Parameter averaging over
 * W workers takes W times fewer sequential steps per epoch, so at the same learning rate each epoch moves the
 * weights, and shrinks every gamma by the L1 penalty's lr * lambda per step, W times less than one worker does:
 * W workers train like one with a W times larger batch and get far less sparse. {@code linear} applies the
 * linear scaling rule (Goyal et al. 2017): the learning rate times W, reached by a linear warm-up from the
 * configured rate over the first {@link #warmupEpochs} epochs (5% of them, as Goyal's 5 of 90; none under 10
 * epochs), so lr * lambda per step grows W times and the shrinkage per epoch is what one worker gets (weight
 * decay alike). The rate changes per epoch: a warm-up epoch runs at the mean of the per-step ramp over it.
 * {@code none} keeps the configured rate.
 */
public record WorkerScaling(String rule, int workers, int warmupEpochs) {
    /** The rule of {@code cfg} for {@code workers} workers; the warm-up takes 5% of the epochs, rounded. */
    public static WorkerScaling of(JobConfig.TrainConfig cfg, int workers) {
        return new WorkerScaling(cfg.workerScaling(), workers, (int) Math.round(cfg.epochs() * 0.05));
    }

    /** The factor on the learning rate in epoch {@code epoch} (0-based), before the step schedule's decay. */
    public double factor(int epoch) {
        if (!rule.equals("linear") || workers <= 1) {
            return 1;
        }
        return 1 + (workers - 1) * Math.min(1.0, (epoch + 0.5) / Math.max(warmupEpochs, 0.5));
    }

    /** The learning rate of epoch {@code epoch} of {@code epochs}: the step schedule times {@link #factor}. */
    public double lr(StepSchedule schedule, int epoch, int epochs) {
        return schedule.forEpoch(epoch, epochs) * factor(epoch);
    }

    /**
     * The rule's figures for report.json: the effective learning rate after warm-up (before the step decay), the
     * effective penalty as the L1 step on every gamma (lr * lambda per sequential step), the sequential steps of
     * an epoch (per worker) and the L1 shrinkage of a gamma over one epoch at that rate, the same for every worker
     * count under {@code linear}.
     */
    public ObjectNode describe(JobConfig.TrainConfig cfg, double lambda, long imagesPerEpoch) {
        double lr = cfg.lr() * factor(Integer.MAX_VALUE);
        long perStep = (long) cfg.batchSize() * workers;
        long steps = (imagesPerEpoch + perStep - 1) / perStep;
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("rule", rule).put("workers", workers).put("warmup_epochs", lr > cfg.lr() ? warmupEpochs : 0)
                .put("lr", cfg.lr()).put("effective_lr", lr).put("lambda", lambda).put("l1_step", lr * lambda)
                .put("steps_per_epoch", steps).put("l1_shrink_per_epoch", steps * lr * lambda);
        return node;
    }

    /** One line for the log. */
    public String line(JobConfig.TrainConfig cfg, double lambda) {
        double lr = cfg.lr() * factor(Integer.MAX_VALUE);
        return lr > cfg.lr()
                ? String.format(java.util.Locale.ROOT, "worker scaling %s: %d workers, lr %.4g x %d = %.4g %s (L1 step "
                + "lr * lambda %.3g per sequential step)", rule, workers, cfg.lr(), workers, lr, warmupEpochs == 0
                ? "from the first epoch" : "after a " + warmupEpochs + "-epoch warm-up", lr * lambda)
                : String.format(java.util.Locale.ROOT, "worker scaling %s: %d worker(s), lr %.4g (L1 step lr * lambda "
                + "%.3g per sequential step)", rule, workers, lr, lr * lambda);
    }
}
