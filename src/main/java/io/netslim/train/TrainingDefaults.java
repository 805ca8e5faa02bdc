package io.netslim.train;

import io.netslim.model.Momentum;
import io.netslim.config.JobConfig;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;

/** The optimiser settings every network is built with: SGD with plain or Nesterov momentum and weight decay, float32. */
public final class TrainingDefaults {
    private TrainingDefaults() {
    }

    /** The job's optimiser ({@code train.lr}, {@code momentum}, {@code nesterov}, {@code weight-decay}, {@code seed}). */
    public static NeuralNetConfiguration.Builder sgd(JobConfig.TrainConfig t) {
        return sgd(t.lr(), t.momentum(), t.nesterov(), t.weightDecay(), t.seed());
    }

    public static NeuralNetConfiguration.Builder sgd(double lr, double momentum, boolean nesterov, double weightDecay,
                                                     long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(nesterov ? new Nesterovs(lr, momentum) : new Momentum(lr, momentum))
                .l2(weightDecay)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }
}
