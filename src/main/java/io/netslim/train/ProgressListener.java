package io.netslim.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** Logs a progress line for single-node training every interval: epoch, images done, images/s, ETA and loss. */
public final class ProgressListener extends BaseTrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressListener.class);
    private final String stage;
    private final long imagesPerEpoch;
    private final int epochs;
    private final int batchSize;
    private final long intervalNanos;
    private long start;
    private long lastLog;
    private long imagesDone;
    private int epoch;

    public ProgressListener(String stage, long imagesPerEpoch, int epochs, int batchSize, Duration interval) {
        this.stage = stage;
        this.imagesPerEpoch = imagesPerEpoch;
        this.epochs = epochs;
        this.batchSize = batchSize;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void onEpochStart(Model model) {
        if (start == 0) {
            start = System.nanoTime();
            lastLog = start;
        }
    }

    @Override
    public void onEpochEnd(Model model) {
        epoch++;
        imagesDone = epoch * imagesPerEpoch;
        log(model.score());
    }

    @Override
    public void iterationDone(Model model, int iteration, int ep) {
        imagesDone = Math.min(imagesDone + batchSize, (long) epochs * imagesPerEpoch);
        long now = System.nanoTime();
        if (now - lastLog >= intervalNanos) {
            lastLog = now;
            log(model.score());
        }
    }

    /** Images per second since the first epoch started. */
    public double imagesPerSecond() {
        double seconds = (System.nanoTime() - start) / 1e9;
        return seconds > 0 ? imagesDone / seconds : 0;
    }

    private void log(double loss) {
        LOG.info(line(stage, Math.min(epoch + 1, epochs), epochs, imagesDone, (long) epochs * imagesPerEpoch,
                imagesPerSecond(), loss));
    }

    /** The progress line of every training stage: a bar, images done of all, images/s so far, ETA and loss. */
    public static String line(String stage, int epoch, int epochs, long imagesDone, long total, double rate,
                              double loss) {
        long etaSeconds = rate > 0 ? (long) ((total - imagesDone) / rate) : -1;
        int width = 30;
        int filled = (int) Math.min(width, width * imagesDone / Math.max(1, total));
        return String.format("%s epoch %d/%d [%s%s] %d/%d img  %.1f img/s  ETA %s  loss %.4f", stage, epoch, epochs,
                "=".repeat(filled), " ".repeat(width - filled), imagesDone, total, rate,
                etaSeconds < 0 ? "?" : Duration.ofSeconds(etaSeconds).toString().substring(2).toLowerCase(), loss);
    }
}
