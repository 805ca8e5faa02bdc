package io.netslim.train;

import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.InMemoryIterator;
import io.netslim.data.Normalization;
import io.netslim.cpu.FastBatchNormalization;
import io.netslim.pipeline.Networks;
import io.netslim.sparsity.SparseBatchNormalization;
import io.netslim.sparsity.L1Penalty;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train.kernels: how it resolves, and that the portable and the CPU kernels train a network the same. */
class TrainingKernelsTest {
    private static final double LAMBDA = 0.01; // 100x the default: the penalty's share of each step is not lost in noise
    private static final int STEPS = 6;

    @Test
    void autoIsCpuOnlyWhereEveryBackendIsCpu() {
        assertEquals(TrainingKernels.CPU, TrainingKernels.choose("auto", List.of("CPU"), "the executors").kernels());
        TrainingKernels.Choice gpu = TrainingKernels.choose("auto", List.of("CUDA"), "the executors");
        assertEquals(TrainingKernels.PORTABLE, gpu.kernels());
        assertTrue(gpu.reason().contains("CUDA") && gpu.reason().contains("the executors"), gpu.reason());
        assertEquals(TrainingKernels.PORTABLE,
                TrainingKernels.choose("auto", List.of("CPU", "CUDA"), "the executors").kernels());
        assertEquals(TrainingKernels.PORTABLE, TrainingKernels.choose("portable", List.of("CPU"), "this JVM").kernels());
        ConfigException refused = assertThrows(ConfigException.class,
                () -> TrainingKernels.choose("cpu", List.of("CUDA"), "the executors"));
        assertTrue(refused.getMessage().contains("train.kernels = cpu") && refused.getMessage().contains("CUDA"),
                refused.getMessage());
        // this JVM runs ND4J's CPU backend
        assertEquals(TrainingKernels.CPU_BACKEND, TrainingKernels.backend());
        assertEquals(TrainingKernels.CPU, TrainingKernels.here("auto").kernels());
        ConfigException bad = assertThrows(ConfigException.class, () -> TestNets.config("train.kernels=gpu"));
        assertTrue(bad.getMessage().contains("train.kernels") && bad.getMessage().contains("portable"),
                bad.getMessage());
    }

    @Test
    void thePenaltyIsDl4jRegularisationForPortableAndInsideTheJavaBatchNormForCpu() {
        ComputationGraphConfiguration penalised = new L1Penalty(LAMBDA, 1e-4).onEveryBatchNorm(
                TestNets.preResNet(8, 12, 1).getConfiguration());
        SparseBatchNormalization sparse = firstLayer(TrainingNetworks.withKernels(penalised, TrainingKernels.PORTABLE),
                SparseBatchNormalization.class);
        assertEquals(List.of(new L1Regularization(LAMBDA), new L2Regularization(1e-4)),
                sparse.getRegularizationByParam("gamma"));
        assertEquals(List.of(new L2Regularization(1e-4)), sparse.getRegularizationByParam("beta"));
        FastBatchNormalization fast = firstLayer(TrainingNetworks.withKernels(penalised, TrainingKernels.CPU),
                FastBatchNormalization.class);
        assertEquals(LAMBDA, fast.getGammaL1());
        // the L1 is the helper's job: DL4J must not add it a second time
        assertEquals(List.of(new L2Regularization(1e-4)), fast.getRegularizationByParam("gamma"));
        assertFalse(TrainingNetworks.withKernels(penalised, TrainingKernels.PORTABLE).toJson()
                .contains("FastBatchNormalization"));
    }

    /**
     * From one start and the same minibatches, {@value #STEPS} SGD steps with the portable and with the CPU
     * kernels leave the same parameters (gammas, betas, conv and dense weights, running statistics), penalty
     * included. The yardstick is the exact result, the same network trained with DL4J's stock layers in double
     * precision: DL4J's stock layers in float32 (the portable path on this backend) are the reference
     * implementation, and their distance from the exact result is the error the portable path has anyway. Measured
     * here: the CPU kernels land within about 1e-7 of the exact result (float32 rounding), DL4J's stock float32
     * layers within about 2e-3 (their float32 path departs from their double path by more than rounding, with or
     * without DL4J's oneDNN helpers; not ours to fix). So: the CPU kernels must be at least as close to the exact
     * result as DL4J's own float32 layers, and the two runs within twice that distance of each other. A wrong
     * kernel (the penalty missing, applied twice or scaled by the batch size) moves the gammas by about lambda * lr *
     * steps (6e-3 here), which the last assertion requires to be well above the gammas' difference.
     */
    @Test
    void portableAndCpuKernelsTrainTheSame() {
        JobConfig cfg = TestNets.config("model.depth=8", "data.path=" + TestNets.fashionMnist(),
                "data.limit-train=" + (16 * STEPS), "train.seed=5");
        ImageSource data = ImageSource.open(cfg.data(), 10, new Configuration());
        List<DataSet> batches = new ArrayList<>();
        new InMemoryIterator(data.loadTrain(), 16, data.augmentation(), Normalization.NONE, true, 5)
                .forEachRemaining(batches::add);
        assertEquals(STEPS, batches.size());
        ComputationGraph start = Networks.initialised(cfg, data.inputShape());
        ComputationGraphConfiguration penalised = new L1Penalty(LAMBDA, cfg.train().weightDecay())
                .onEveryBatchNorm(start.getConfiguration());
        ComputationGraphConfiguration unpenalised = new L1Penalty(0, cfg.train().weightDecay())
                .onEveryBatchNorm(start.getConfiguration());

        Map<String, INDArray> portable = train(TrainingNetworks.withKernels(penalised, TrainingKernels.PORTABLE), start,
                batches, false);
        Map<String, INDArray> cpu = train(TrainingNetworks.withKernels(penalised, TrainingKernels.CPU), start, batches,
                false);
        Map<String, INDArray> exact = train(penalised, start, batches, true);
        Map<String, INDArray> cpuNoPenalty = train(TrainingNetworks.withKernels(unpenalised, TrainingKernels.CPU), start,
                batches, false);
        Map<String, INDArray> portableNoPenalty = train(unpenalised, start, batches, false);

        double floatError = maxDiff(portable, exact, null);
        double cpuError = maxDiff(cpu, exact, null);
        double tolerance = 2 * floatError;
        double all = maxDiff(cpu, portable, null);
        double gammas = maxDiff(cpu, portable, "gamma");
        double moved = maxDiff(portable, params(start), null);
        double penaltyCpu = maxDiff(cpu, cpuNoPenalty, "gamma");
        double penaltyPortable = maxDiff(portable, portableNoPenalty, "gamma");
        System.out.println("largest differences: cpu-portable " + worst(cpu, portable) + "; portable-double "
                + worst(portable, exact) + "; cpu-double " + worst(cpu, exact));
        System.out.printf("after %d steps: max |cpu - portable| %.3g (gammas %.3g); distance from the "
                        + "double-precision run: portable %.3g, cpu %.3g; parameters moved up to %.3g; the penalty "
                        + "moved gammas by %.3g (cpu), %.3g (portable)%n", STEPS, all, gammas, floatError, cpuError,
                moved, penaltyCpu, penaltyPortable);
        assertTrue(floatError > 0 && floatError < 0.1 * moved, "DL4J's float32 layers against double: " + floatError
                + " (parameters moved " + moved + ")");
        assertTrue(cpuError <= floatError, "cpu kernels are " + cpuError + " from the double-precision run, DL4J's "
                + "own float32 layers " + floatError);
        assertTrue(all <= tolerance, "cpu vs portable: " + all + " > tolerance " + tolerance);
        assertTrue(penaltyCpu > 10 * Math.max(gammas, 1e-6) && penaltyPortable > 10 * Math.max(gammas, 1e-6),
                "the penalty moves gammas by " + penaltyCpu + " (cpu) and " + penaltyPortable
                        + " (portable), not clearly more than they differ: " + gammas);
    }

    /** Parameters of {@code conf} started from {@code start}'s after one fit per batch, as float. */
    private static Map<String, INDArray> train(ComputationGraphConfiguration conf, ComputationGraph start,
                                               List<DataSet> batches, boolean inDouble) {
        ComputationGraphConfiguration c = conf.clone();
        DataType type = inDouble ? DataType.DOUBLE : DataType.FLOAT;
        c.setDataType(type);
        ComputationGraph net = new ComputationGraph(c);
        net.init(start.params().castTo(type), true);
        for (DataSet b : batches) {
            net.fit(new DataSet(b.getFeatures().castTo(type).dup(), b.getLabels().castTo(type).dup()));
        }
        return params(net);
    }

    private static Map<String, INDArray> params(ComputationGraph net) {
        Map<String, INDArray> p = new java.util.TreeMap<>();
        net.paramTable().forEach((k, v) -> p.put(k, v.castTo(DataType.DOUBLE)));
        return p;
    }

    /** Largest absolute difference over every parameter (or those whose name ends with {@code suffix}). */
    private static double maxDiff(Map<String, INDArray> a, Map<String, INDArray> b, String suffix) {
        assertEquals(a.keySet(), b.keySet());
        double max = 0;
        for (String k : a.keySet()) {
            if (suffix == null || k.endsWith("_" + suffix)) {
                max = Math.max(max, a.get(k).sub(b.get(k)).amaxNumber().doubleValue());
            }
        }
        return max;
    }

    /** The parameter where {@code a} and {@code b} differ most, and by how much. */
    private static String worst(Map<String, INDArray> a, Map<String, INDArray> b) {
        return a.keySet().stream().max(java.util.Comparator.comparingDouble(
                (String k) -> a.get(k).sub(b.get(k)).amaxNumber().doubleValue()))
                .map(k -> k + " " + a.get(k).sub(b.get(k)).amaxNumber().doubleValue()).orElse("");
    }

    private static <T> T firstLayer(ComputationGraphConfiguration conf, Class<T> type) {
        return conf.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex lv && type.isInstance(lv.getLayerConf().getLayer()))
                .map(v -> type.cast(((LayerVertex) v).getLayerConf().getLayer())).findFirst().orElseThrow();
    }
}
