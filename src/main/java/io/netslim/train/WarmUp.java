package io.netslim.train;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * A learning rate that ramps linearly, step by step, from {@code from} to {@code to} over the first
 * {@code steps} sequential steps after iteration {@code start}, then stays at {@code to}: the worker-scaling
 * warm-up as a DL4J schedule, so every worker's local steps follow it (the iteration count is the sequential
 * step count, the same on every worker of a round). It travels in the network's configuration (JSON) to the
 * executors; checkpoints record where it began ({@link TrainingPosition#warmupStart}).
 */
public final class WarmUp implements ISchedule {
    private static final long serialVersionUID = 1L;
    @JsonProperty
    private double from;
    @JsonProperty
    private double to;
    @JsonProperty
    private int steps;
    @JsonProperty
    private int start;

    /** For DL4J's JSON configuration reader. */
    private WarmUp() {
    }

    public WarmUp(double from, double to, int steps, int start) {
        this.from = from;
        this.to = to;
        this.steps = steps;
        this.start = start;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        long done = (long) iteration - start;
        if (steps <= 0 || done >= steps) {
            return to;
        }
        return from + (to - from) * (Math.max(0, done) + 1) / steps;
    }

    @Override
    public ISchedule clone() {
        return new WarmUp(from, to, steps, start);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmUp w && w.from == from && w.to == to && w.steps == steps && w.start == start;
    }

    @Override
    public int hashCode() {
        return Objects.hash(from, to, steps, start);
    }

    @Override
    public String toString() {
        return "WarmUp(" + from + " -> " + to + " over " + steps + " steps from iteration " + start + ")";
    }
}
