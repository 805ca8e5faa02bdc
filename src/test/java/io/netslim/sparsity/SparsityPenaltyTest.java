package io.netslim.sparsity;

import io.netslim.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.InMemoryIterator;
import io.netslim.data.Normalization;
import io.netslim.pipeline.Networks;
import io.netslim.train.LocalTrainer;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparsityPenaltyTest {
    private static final double NEAR_ZERO = 0.2; // from an initial 0.5

    @Test
    void l1OnGammaDrivesClearlyMoreGammasToZeroThanNoPenalty() throws Exception {
        double[] penalised = trainAndCollectGammas(0.05);
        double[] plain = trainAndCollectGammas(0.0);
        long nearZeroPenalised = Arrays.stream(penalised).filter(v -> Math.abs(v) < NEAR_ZERO).count();
        long nearZeroPlain = Arrays.stream(plain).filter(v -> Math.abs(v) < NEAR_ZERO).count();
        double meanPenalised = Arrays.stream(penalised).map(Math::abs).average().orElseThrow();
        double meanPlain = Arrays.stream(plain).map(Math::abs).average().orElseThrow();
        System.out.printf("near-zero gammas: %d with lambda, %d without, of %d; mean |gamma| %.4f vs %.4f%n",
                nearZeroPenalised, nearZeroPlain, penalised.length, meanPenalised, meanPlain);
        assertTrue(nearZeroPenalised >= penalised.length / 5,
                "with lambda: " + nearZeroPenalised + " of " + penalised.length + " near zero");
        assertTrue(nearZeroPenalised >= 5 * Math.max(1, nearZeroPlain),
                "with lambda " + nearZeroPenalised + " vs without " + nearZeroPlain + " near-zero gammas");
        assertTrue(meanPenalised < 0.6 * meanPlain, "mean |gamma| " + meanPenalised + " vs " + meanPlain);
    }

    @Test
    void stripLeavesStockLayersThatPlainDl4jSavesAndLoads() throws Exception {
        JobConfig cfg = TestNets.config("model.depth=8");
        ComputationGraph sparse = Networks.forSparsityTraining(cfg, new long[] {1, 12, 12});
        assertTrue(SparsityPenalty.isApplied(sparse.getConfiguration()));
        ComputationGraph stock = SparsityPenalty.strip(sparse);
        assertFalse(SparsityPenalty.isApplied(stock.getConfiguration()));
        assertFalse(stock.getConfiguration().toJson().contains("io.netslim"));
        assertEquals(sparse.params(), stock.params());
        // gamma starts at model.gamma-init
        for (org.deeplearning4j.nn.api.Layer l : stock.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization) {
                assertEquals(0.5, l.getParam("gamma").meanNumber().doubleValue(), 1e-6);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(stock, bytes, false);
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), false);
        assertEquals(stock.params(), loaded.params());
    }

    /** Trains the same network from the same seed for 2 epochs on 640 Fashion-MNIST images. */
    private static double[] trainAndCollectGammas(double lambda) {
        JobConfig cfg = TestNets.config("model.depth=8", "sparsity.lambda=" + lambda, "data.path=" + TestNets.fashionMnist(),
                "data.limit-train=640", "train.seed=3");
        ImageSource data = ImageSource.open(cfg.data(), 10, new Configuration());
        ComputationGraph graph = Networks.forSparsityTraining(cfg, data.inputShape());
        InMemoryIterator it = new InMemoryIterator(data.loadTrain(), 32, data.augmentation(), Normalization.NONE, true, 3);
        LocalTrainer.fit("sparsity-test", graph, it, 2, 0.1, io.netslim.train.EpochListener.NONE);
        return Arrays.stream(graph.getLayers())
                .filter(l -> l.conf().getLayer() instanceof BatchNormalization)
                .flatMapToDouble(l -> Arrays.stream(l.getParam("gamma").castTo(DataType.DOUBLE).toDoubleVector()))
                .toArray();
    }
}
