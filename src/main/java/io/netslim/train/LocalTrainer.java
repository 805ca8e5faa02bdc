package io.netslim.train;

import io.netslim.data.InMemoryIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** Single-node training on the driver (fine-tuning), with the step schedule and a progress line. */
public final class LocalTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTrainer.class);

    private LocalTrainer() {
    }

    /** Trains {@code graph} in place for {@code epochs} passes over {@code data}; returns images/s. */
    public static double fit(String stage, ComputationGraph graph, InMemoryIterator data, int epochs, double lr) {
        if (epochs == 0) {
            return 0;
        }
        int itersPerEpoch = (data.numExamples() + data.batch() - 1) / data.batch();
        graph.setLearningRate(new StepSchedule(lr).byIteration(epochs * itersPerEpoch));
        ProgressListener progress = new ProgressListener(stage, data.numExamples(), epochs, data.batch(),
                Duration.ofSeconds(10));
        graph.setListeners(progress);
        try {
            for (int e = 0; e < epochs; e++) {
                data.reset();
                graph.fit(data);
            }
        } finally {
            graph.setListeners();
        }
        double rate = progress.imagesPerSecond();
        LOG.info("{}: {} epoch(s) of {} images at {} img/s", stage, epochs, data.numExamples(),
                String.format("%.1f", rate));
        return rate;
    }
}
