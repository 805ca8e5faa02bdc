package io.netslim.train;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;

/** Stops training the moment the loss or any parameter is NaN or infinite. */
public final class DivergenceGuard extends BaseTrainingListener {
    private final String stage;

    public DivergenceGuard(String stage) {
        this.stage = stage;
    }

    /** Throws {@link TrainingDivergedException} if {@code net}'s loss or parameters are not finite. */
    public static void check(String stage, ComputationGraph net, double score, String where) {
        if (!Double.isFinite(score)) {
            throw new TrainingDivergedException(stage + " diverged " + where + ": loss is " + score
                    + " (lower the learning rate)");
        }
        double sum = net.params().sumNumber().doubleValue();
        if (!Double.isFinite(sum)) {
            throw new TrainingDivergedException(stage + " diverged " + where
                    + ": parameters contain NaN or infinite values (lower the learning rate)");
        }
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        if (!Double.isFinite(model.score())) {
            throw new TrainingDivergedException(stage + " diverged at iteration " + iteration + " of epoch "
                    + (epoch + 1) + ": loss is " + model.score() + " (lower the learning rate)");
        }
    }
}
