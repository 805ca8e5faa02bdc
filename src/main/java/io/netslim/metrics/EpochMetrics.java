package io.netslim.metrics;

import io.netslim.train.EpochListener;

/** What one training epoch achieved, reported to an {@link EpochListener} as training goes. */
public record EpochMetrics(String stage, int epoch, int epochs, double loss, double lr, double imagesPerSecond,
                           double seconds) {
    /** The same figures under the step name {@code step} (a stage's label in the log is not its step). */
    public EpochMetrics as(String step) {
        return new EpochMetrics(step, epoch, epochs, loss, lr, imagesPerSecond, seconds);
    }
}
