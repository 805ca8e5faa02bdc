package io.netslim.sparsity;

import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.InMemoryIterator;
import io.netslim.data.Normalization;
import io.netslim.pipeline.Networks;
import io.netslim.train.LocalTrainer;
import io.netslim.train.TrainingKernels;
import io.netslim.train.TrainingNetworks;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import io.netslim.model.layers.LayerSwap;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

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
        ComputationGraph cpu = Networks.forTraining(cfg, new long[] {1, 12, 12}, cfg.sparsityLambda(),
                TrainingKernels.CPU);
        assertFalse(TrainingNetworks.stock(cpu).getConfiguration().toJson().contains("io.netslim"));
        ComputationGraph sparse = Networks.forTraining(cfg, new long[] {1, 12, 12}, cfg.sparsityLambda(),
                TrainingKernels.PORTABLE);
        assertTrue(TrainingNetworks.lambdaOf(sparse.getConfiguration()) > 0);
        ComputationGraph stock = TrainingNetworks.stock(sparse);
        assertFalse(TrainingNetworks.lambdaOf(stock.getConfiguration()) > 0);
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

    @Test
    void penaltyInTheBatchNormGradientTrainsLikeDl4jsOwnL1Regularisation() {
        double lambda = 0.01;
        double weightDecay = 1e-4;
        ComputationGraph stockLayers = TestNets.preResNet(8, 12, 5);
        // DL4J's way: L1 and L2 from the layer configuration, applied by DL4J's updater; stock runtime layers
        ComputationGraph dl4j = new ComputationGraph(LayerSwap.replace(stockLayers.getConfiguration(),
                l -> l instanceof BatchNormalization bn
                        ? LayerSwap.copyFields(bn, new Dl4jL1BatchNorm(lambda, weightDecay), BatchNormalization.class)
                        : l));
        dl4j.init(stockLayers.params().dup(), false);
        // ours: the penalty added inside the Java batch norm's gradient (the CPU kernels)
        ComputationGraph ours = new ComputationGraph(TrainingNetworks.withKernels(
                new L1Penalty(lambda, weightDecay).onEveryBatchNorm(stockLayers.getConfiguration()),
                TrainingKernels.CPU));
        ours.init(stockLayers.params().dup(), false);
        for (int i = 0; i < 4; i++) {
            DataSet batch = randomBatch(20 + i);
            dl4j.fit(batch);
            ours.fit(batch);
        }
        double[] expected = gammas(dl4j);
        double[] actual = gammas(ours);
        double[] start = gammas(stockLayers);
        double moved = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            moved = Math.max(moved, Math.abs(expected[i] - start[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(moved > 0.01, "training moved gammas by " + moved);
        assertTrue(diff < 1e-3 * Math.max(1, moved) + 1e-5, "gammas differ by " + diff + " (moved " + moved + ")");
        // and without the penalty the gammas end up elsewhere
        ComputationGraph plain = new ComputationGraph(TrainingNetworks.withKernels(
                new L1Penalty(0, weightDecay).onEveryBatchNorm(stockLayers.getConfiguration()),
                TrainingKernels.CPU));
        plain.init(stockLayers.params().dup(), false);
        for (int i = 0; i < 4; i++) {
            plain.fit(randomBatch(20 + i));
        }
        double[] unpenalised = gammas(plain);
        double gap = 0;
        for (int i = 0; i < expected.length; i++) {
            gap = Math.max(gap, Math.abs(expected[i] - unpenalised[i]));
        }
        assertTrue(gap > 10 * diff, "penalty's effect " + gap + " vs difference " + diff);
    }

    /** 16 random 1x12x12 images with fixed labels, the same for the same seed. */
    private static DataSet randomBatch(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return new DataSet(Nd4j.randn(DataType.FLOAT, 16, 1, 12, 12),
                Nd4j.eye(10).getRows(IntStream.range(0, 16).map(k -> (k * 3 + 1) % 10).toArray())
                        .castTo(DataType.FLOAT));
    }

    /** The penalty as DL4J itself applies it: L1 and L2 regularisation declared for gamma. */
    private static final class Dl4jL1BatchNorm extends BatchNormalization {
        private final double lambda;
        private final double weightDecay;

        Dl4jL1BatchNorm(double lambda, double weightDecay) {
            this.lambda = lambda;
            this.weightDecay = weightDecay;
        }

        @Override
        public List<Regularization> getRegularizationByParam(String param) {
            return switch (param) {
                case "gamma" -> List.of(new L1Regularization(lambda), new L2Regularization(weightDecay));
                case "beta" -> List.of(new L2Regularization(weightDecay));
                default -> null;
            };
        }
    }

    private static double[] gammas(ComputationGraph g) {
        return Arrays.stream(g.getLayers())
                .filter(l -> l.conf().getLayer() instanceof BatchNormalization)
                .flatMapToDouble(l -> Arrays.stream(l.getParam("gamma").castTo(DataType.DOUBLE).toDoubleVector()))
                .toArray();
    }

    /** Trains the same network from the same seed for 2 epochs on 640 Fashion-MNIST images. */
    private static double[] trainAndCollectGammas(double lambda) {
        JobConfig cfg = TestNets.config("model.depth=8", "sparsity.lambda=" + lambda, "data.path=" + TestNets.fashionMnist(),
                "data.limit-train=640", "train.seed=3");
        ImageSource data = ImageSource.open(cfg.data(), 10, new Configuration());
        ComputationGraph graph = Networks.forTraining(cfg, data.inputShape(), lambda, TrainingKernels.PORTABLE);
        InMemoryIterator it = new InMemoryIterator(data.loadTrain(), 32, data.augmentation(), Normalization.NONE, true, 3);
        LocalTrainer.fit(graph, it, new io.netslim.train.LocalFit("sparsity-test", 2, 0.1, cfg.train(), TrainingKernels.CPU, io.netslim.train.EpochListener.NONE));
        return gammas(graph);
    }
}
