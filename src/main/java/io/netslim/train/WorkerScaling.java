package io.netslim.train;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How sparsity training follows the number of workers ({@code train.worker-scaling}). Parameter averaging over
 * W workers takes W times fewer sequential steps per epoch; the L1 penalty moves every gamma by lr x lambda per
 * sequential step, like the data loss moves the weights by lr x its gradient.
 * <ul>
 * <li>{@code sqrt} (the default): the learning rate is {@code train.lr} x sqrt(W) (the square-root rule of
 * Krizhevsky 2014 and Hoffer et al. 2017: an average of W batches has W times less gradient variance), reached by
 * a per-step linear warm-up over {@link #WARMUP_SHARE} of the sequential steps, at least
 * {@link #MIN_WARMUP_STEPS} of them and at most {@link #MAX_WARMUP_SHARE} (it ends before the first decay). The
 * L1 step follows the rate, so the penalty weighs against the data loss as on one worker and the objective is
 * one worker's; a gamma shrinks sqrt(W) times less per epoch, and {@link #warnings} says when that leaves the
 * schedule unable to polarise the gammas.</li>
 * <li>{@code linear}: Goyal et al.'s rule as netslim had it before: lr x W from the first step (a warm-up over 5%
 * of the epochs, none under 10 epochs): one worker's shrinkage per epoch, but every worker's steps between two
 * averages are one batch's steps at W times the rate.</li>
 * <li>{@code none}: the configured rate whatever W.</li>
 * </ul>
 */
public record WorkerScaling(String rule, int workers, long stepsPerEpoch, int epochs, double lrFactor,
                            int warmupSteps) {
    /** The sqrt rule's warm-up: this share of the sequential steps ... */
    static final double WARMUP_SHARE = 0.05;
    /** ... at least this many ... */
    static final int MIN_WARMUP_STEPS = 100;
    /** ... and at most this share of them. */
    static final double MAX_WARMUP_SHARE = 0.25;
    /**
     * Fewer sequential steps than this in all draw a warning: the quickstart's 3 epochs on 4 workers (164 steps)
     * gave sparse accuracies of 0.705-0.827 from the same images (issue 27).
     */
    static final long MIN_SEQUENTIAL_STEPS = 200;

    /** The rule of {@code cfg} for {@code workers} workers and an epoch of {@code imagesPerEpoch} images. */
    public static WorkerScaling of(JobConfig.TrainConfig cfg, int workers, long imagesPerEpoch) {
        long perStep = (long) cfg.batchSize() * workers;
        long steps = Math.max(1, (imagesPerEpoch + perStep - 1) / perStep);
        long total = steps * cfg.epochs();
        String rule = cfg.workerScaling();
        return switch (workers <= 1 ? "none" : rule) {
            case "sqrt" -> new WorkerScaling(rule, workers, steps, cfg.epochs(), Math.sqrt(workers),
                    (int) Math.min(Math.max(Math.round(total * WARMUP_SHARE), MIN_WARMUP_STEPS),
                            Math.round(total * MAX_WARMUP_SHARE)));
            case "linear" -> new WorkerScaling(rule, workers, steps, cfg.epochs(), workers,
                    Math.toIntExact(Math.round(cfg.epochs() * 0.05) * steps));
            default -> new WorkerScaling(rule, workers, steps, cfg.epochs(), 1, 0);
        };
    }

    /** The learning rate of epoch {@code epoch} (0-based) after the warm-up: the step schedule times the factor. */
    public double lr(StepSchedule schedule, int epoch) {
        return schedule.forEpoch(epoch, epochs) * lrFactor;
    }

    /**
     * The learning rate of epoch {@code epoch} by sequential step: {@link #lr}, ramped up to from the schedule's own
     * rate over the warm-up, which began at iteration {@code start}.
     */
    public ISchedule schedule(StepSchedule schedule, int epoch, int start) {
        return new WarmUp(schedule.forEpoch(epoch, epochs), lr(schedule, epoch), warmupSteps, start);
    }

    /**
     * How far the penalty alone moves a gamma over the whole schedule: the L1 steps of every sequential step
     * summed, times the momentum's 1 / (1 - momentum) for a steady push.
     */
    public double l1Reach(JobConfig.TrainConfig cfg, double lambda) {
        StepSchedule schedule = new StepSchedule(cfg.lr());
        double sum = 0;
        for (int e = 0; e < epochs; e++) {
            ISchedule lr = schedule(schedule, e, 0);
            for (long s = 0; s < stepsPerEpoch; s++) {
                sum += lr.valueAt((int) Math.min(Integer.MAX_VALUE, e * stepsPerEpoch + s), e);
            }
        }
        return sum * lambda / (1 - Math.min(cfg.momentum(), 0.999));
    }

    /**
     * What keeps this configuration from polarising the gammas, with the numbers (empty when nothing does);
     * {@code gammaStart} is the mean |gamma| training starts from.
     */
    public List<String> warnings(JobConfig.TrainConfig cfg, double lambda, double gammaStart) {
        List<String> out = new ArrayList<>();
        if (lambda <= 0) {
            return out;
        }
        long total = stepsPerEpoch * epochs;
        String steps = String.format(Locale.ROOT, "%d sequential steps (%d per epoch: images / (%d worker(s) x "
                + "batch %d), x %d epochs)", total, stepsPerEpoch, workers, cfg.batchSize(), epochs);
        double reach = l1Reach(cfg, lambda);
        if (reach < gammaStart) {
            out.add(String.format(Locale.ROOT, "the gammas cannot polarise: over %s the L1 penalty moves a gamma at "
                    + "most %.3g in all (L1 step lr x lambda %.3g per step at the full rate, momentum %.2f), less "
                    + "than their mean start |gamma| %.3g; raise sparsity.lambda or train.epochs, or use fewer "
                    + "workers", steps, reach, lr(new StepSchedule(cfg.lr()), 0) * lambda, cfg.momentum(),
                    gammaStart));
        }
        if (total < MIN_SEQUENTIAL_STEPS) {
            out.add(String.format(Locale.ROOT, "only %s, fewer than %d: too few for the data loss to train and the "
                    + "gammas to polarise; use fewer workers, more epochs or a smaller train.batch-size", steps,
                    MIN_SEQUENTIAL_STEPS));
        }
        return out;
    }

    /**
     * The rule's figures for report.json: the effective learning rate after warm-up (before the step decay), the
     * warm-up in sequential steps, the L1 step on every gamma (effective lr x lambda per sequential step), the
     * sequential steps of an epoch, the L1 shrinkage of a gamma over one epoch at that rate and over the whole
     * schedule ({@link #l1Reach}).
     */
    public ObjectNode describe(JobConfig.TrainConfig cfg, double lambda) {
        double lr = cfg.lr() * lrFactor;
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("rule", rule).put("workers", workers).put("lr", cfg.lr()).put("lr_factor", lrFactor)
                .put("effective_lr", lr).put("warmup_steps", lrFactor > 1 ? warmupSteps : 0).put("lambda", lambda)
                .put("l1_step", lr * lambda).put("steps_per_epoch", stepsPerEpoch)
                .put("l1_shrink_per_epoch", stepsPerEpoch * lr * lambda).put("l1_reach", l1Reach(cfg, lambda));
        return node;
    }

    /** One line for the log. */
    public String line(JobConfig.TrainConfig cfg, double lambda) {
        double lr = cfg.lr() * lrFactor;
        return String.format(Locale.ROOT, "worker scaling %s: %d worker(s), %d sequential steps per epoch; lr %.4g x "
                        + "%.3g = %.4g%s; L1 step lr x lambda %.3g per sequential step", rule, workers, stepsPerEpoch,
                cfg.lr(), lrFactor, lr, lrFactor > 1 && warmupSteps > 0 ? " after a warm-up of " + warmupSteps
                        + " sequential steps" : "", lr * lambda);
    }
}
