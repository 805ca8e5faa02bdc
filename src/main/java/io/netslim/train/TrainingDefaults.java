package io.netslim.train;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Nesterovs;

/** The optimiser settings every network is built with: SGD with momentum and weight decay, float32. */
public final class TrainingDefaults {
    private TrainingDefaults() {
    }

    public static NeuralNetConfiguration.Builder sgd(double lr, double momentum, double weightDecay, long seed) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .updater(new Nesterovs(lr, momentum))
                .l2(weightDecay)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED);
    }
}
