package io.netslim.train;

import io.netslim.metrics.EpochMetrics;
import io.netslim.data.ImageBatches;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/** Single-node training on the driver (fine-tuning), with the step schedule and a progress line. */
public final class LocalTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(LocalTrainer.class);

    private LocalTrainer() {
    }

    /**
     * Trains {@code graph} (stock layers) in place for {@code fit.epochs()} passes over {@code data} with
     * {@code fit.kernels()} ({@link TrainingNetworks#fineTuningTwin}); returns images/s.
     */
    public static double fit(ComputationGraph graph, ImageBatches data, LocalFit fit) {
        String stage = fit.stage();
        int epochs = fit.epochs();
        double lr = fit.lr();
        TrainingKernels kernels = fit.kernels();
        EpochListener listener = fit.listener();
        if (epochs == 0) {
            return 0;
        }
        ComputationGraph net = TrainingNetworks.fineTuningTwin(graph, fit.train(), kernels);
        // The step schedule counts this stage's iterations from 0, whatever the network went through before (a
        // sparse model arrives with sparsity training's count, which would start it at the last step's lr).
        net.getConfiguration().setIterationCount(0);
        net.getConfiguration().setEpochCount(0);
        int itersPerEpoch = (data.numExamples() + data.batch() - 1) / data.batch();
        StepSchedule schedule = new StepSchedule(lr);
        net.setLearningRate(schedule.byIteration(epochs * itersPerEpoch));
        ProgressListener progress = new ProgressListener(stage, data.numExamples(), epochs, data.batch(),
                Duration.ofSeconds(10));
        net.setListeners(progress, new DivergenceGuard(stage));
        LOG.info("{}: starting, {} epoch(s) of {} images, lr {}, {} kernels", stage, epochs, data.numExamples(), lr,
                kernels.id());
        try {
            for (int e = 0; e < epochs; e++) {
                long t0 = System.nanoTime();
                data.reset();
                net.fit(data);
                double seconds = (System.nanoTime() - t0) / 1e9;
                listener.onEpoch(new EpochMetrics(stage, e + 1, epochs, net.score(), schedule.at((e + 1.0) / epochs - 1e-9),
                        data.numExamples() / seconds, seconds), graph);
            }
        } finally {
            net.setListeners();
        }
        double rate = progress.imagesPerSecond();
        LOG.info("{}: {} epoch(s) of {} images at {} img/s", stage, epochs, data.numExamples(),
                String.format("%.1f", rate));
        return rate;
    }
}
