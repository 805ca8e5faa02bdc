package io.netslim.train;

import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.InMemoryIterator;
import io.netslim.data.Normalization;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** Fine-tuning's step schedule starts at its own lr whatever iteration count the network arrives with. */
class LocalTrainerTest {
    @Test
    void fineTuningStartsAtItsLearningRateAfterSparsityTraining() {
        ComputationGraph fresh = TestNets.preResNet(8, 28, 5);
        ComputationGraph trained = fresh.clone();
        // as after sparsity training: far past every milestone of a 1-epoch schedule
        trained.getConfiguration().setIterationCount(1_000_000);
        trained.getConfiguration().setEpochCount(30);
        assertEquals(fresh.params(), trained.params());

        double[] before = fresh.params().dup().toDoubleVector();
        LocalTrainer.fit(fresh, batches(), new LocalFit("test", 1, 0.05, TestNets.config().train(), TrainingKernels.PORTABLE, EpochListener.NONE));
        LocalTrainer.fit(trained, batches(), new LocalFit("test", 1, 0.05, TestNets.config().train(), TrainingKernels.PORTABLE, EpochListener.NONE));
        assertNotEquals(before[0], fresh.params().getDouble(0), "the step did not move the weights");
        // the same steps at the same rates: identical weights (an lr / 100 start would move them 100x less)
        assertEquals(fresh.params(), trained.params());
    }

    @Test
    void fineTuningDecaysBatchNormGammaAndBetaAsSparsityTrainingDoes() {
        ComputationGraph stock = TestNets.preResNet(8, 28, 5);
        for (TrainingKernels kernels : TrainingKernels.values()) {
            ComputationGraph twin = TrainingNetworks.fineTuningTwin(stock, TestNets.config().train(), kernels);
            int batchNorms = 0;
            for (org.deeplearning4j.nn.api.Layer l : twin.getLayers()) {
                if (l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization bn) {
                    batchNorms++;
                    for (String p : List.of("gamma", "beta")) {
                        assertEquals(List.of(new org.nd4j.linalg.learning.regularization.L2Regularization(1e-4)),
                                bn.getRegularizationByParam(p), kernels + " " + l.conf().getLayer().getLayerName() + " " + p);
                    }
                }
            }
            assertNotEquals(0, batchNorms);
        }
    }

    private static InMemoryIterator batches() {
        JobConfig cfg = TestNets.config("data.path=" + TestNets.fashionMnist(), "data.limit-train=128");
        ImageSource data = ImageSource.open(cfg.data(), 10, new Configuration());
        return new InMemoryIterator(data.loadTrain(), 32, data.augmentation(), Normalization.NONE, true, 3);
    }
}
