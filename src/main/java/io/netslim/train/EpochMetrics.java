package io.netslim.train;

/** What one training epoch achieved, reported to an {@link EpochListener} as training goes. */
public record EpochMetrics(String stage, int epoch, int epochs, double loss, double lr, double imagesPerSecond,
                           double seconds) {
}
