package io.netslim.train;

import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.pipeline.Networks;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same sparsity on 1 and on 4 workers (Spark local[2]): the gammas shrink alike under the linear rule. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerScalingTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withSpark();

    private JavaSparkContext sc;

    @BeforeAll
    void start() {
        sc = cluster.sc();
    }

    @Test
    void sqrtScalesTheRateBySqrtWAfterAWarmUpOfSequentialSteps() {
        JobConfig.TrainConfig t = TestNets.config("train.epochs=40", "train.lr=0.1").train();
        // 6,400 images, batch 64: 25 sequential steps per epoch on 4 workers, 1,000 in all
        WorkerScaling sqrt = WorkerScaling.of(t, 4, 6400);
        assertEquals("sqrt", sqrt.rule());
        assertEquals(25, sqrt.stepsPerEpoch());
        assertEquals(2.0, sqrt.lrFactor(), 1e-12);
        assertEquals(100, sqrt.warmupSteps()); // 5% of 1,000 is 50: at least 100
        assertEquals(0.2, sqrt.lr(new StepSchedule(0.1), 10), 1e-12);
        assertEquals(0.002, sqrt.lr(new StepSchedule(0.1), 30), 1e-12); // the step decay still applies
        ISchedule epoch0 = sqrt.schedule(new StepSchedule(0.1), 0, 7);
        assertEquals(0.1 + 0.1 / 100, epoch0.valueAt(7, 0), 1e-12); // the first step of the warm-up
        assertEquals(0.15, epoch0.valueAt(7 + 49, 0), 1e-12);
        assertEquals(0.2, epoch0.valueAt(7 + 99, 0), 1e-12);
        assertEquals(0.2, epoch0.valueAt(7 + 500, 0), 1e-12);
        assertEquals(4.0, WorkerScaling.of(t, 16, 6400).lrFactor(), 1e-12);
        assertEquals(8.0, WorkerScaling.of(t, 64, 6400).lrFactor(), 1e-12);
        // at most a quarter of a short schedule: 3 epochs of 55 steps warm up over 41
        assertEquals(41, WorkerScaling.of(TestNets.config("train.epochs=3").train(), 4, 14000).warmupSteps());
        assertEquals(1.0, WorkerScaling.of(t, 1, 6400).lrFactor());
        assertEquals(1.0, WorkerScaling.of(TestNets.config("train.worker-scaling=none").train(), 4, 6400).lrFactor());
        // the L1 step follows the rate: an epoch shrinks a gamma sqrt(W) times less than on one worker
        double one = WorkerScaling.of(t, 1, 6400).describe(t, 1e-3).path("l1_shrink_per_epoch").asDouble();
        assertEquals(one / 2, sqrt.describe(t, 1e-3).path("l1_shrink_per_epoch").asDouble(), 1e-12);
        assertEquals(0.2 * 1e-3, sqrt.describe(t, 1e-3).path("l1_step").asDouble(), 1e-15);
    }

    @Test
    void linearIsTheRuleOfBefore() {
        JobConfig.TrainConfig t = TestNets.config("train.epochs=40", "train.lr=0.1", "train.worker-scaling=linear")
                .train();
        WorkerScaling linear = WorkerScaling.of(t, 4, 6400);
        assertEquals(4.0, linear.lrFactor());
        assertEquals(2 * 25, linear.warmupSteps()); // 5% of the epochs
        assertEquals(0, WorkerScaling.of(TestNets.config("train.epochs=9", "train.worker-scaling=linear").train(), 4,
                6400).warmupSteps()); // none under 10 epochs
        double one = WorkerScaling.of(t, 1, 6400).describe(t, 1e-3).path("l1_shrink_per_epoch").asDouble();
        assertEquals(one, linear.describe(t, 1e-3).path("l1_shrink_per_epoch").asDouble(), 1e-12);
    }

    @Test
    void warnsWithTheNumbersWhereTheGammasCannotPolarise() {
        // the quickstart on 4 workers: 14,000 images, 3 epochs, lambda 1e-4
        JobConfig.TrainConfig quick = TestNets.config("train.epochs=3").train();
        List<String> w = WorkerScaling.of(quick, 4, 14000).warnings(quick, 1e-4, 0.5);
        assertEquals(2, w.size(), w.toString());
        assertTrue(w.get(0).contains("cannot polarise") && w.get(0).contains("165 sequential steps")
                && w.get(0).contains("0.5"), w.get(0));
        assertTrue(w.get(1).contains("fewer than 200"), w.get(1));
        // 20,000 images, 20 epochs, lambda 1e-3 (issue 21's runs) polarise on 1 and 16 workers
        JobConfig.TrainConfig longer = TestNets.config("train.epochs=20").train();
        assertEquals(List.of(), WorkerScaling.of(longer, 1, 20000).warnings(longer, 1e-3, 0.5));
        assertEquals(List.of(), WorkerScaling.of(longer, 4, 20000).warnings(longer, 1e-3, 0.5));
        // without a rule, 16 workers cannot polarise what 1 worker can
        JobConfig.TrainConfig none = TestNets.config("train.epochs=20", "train.worker-scaling=none").train();
        assertTrue(WorkerScaling.of(none, 16, 20000).warnings(none, 1e-3, 0.5).get(0).contains("cannot polarise"));
        assertEquals(List.of(), WorkerScaling.of(quick, 4, 14000).warnings(quick, 0, 0.5)); // no penalty, no warning
    }

    /**
     * 2,560 Fashion-MNIST images, ResNet-8, lambda 5e-3, 4 epochs. The L1 part of the shrinkage is the same on 1 and
     * 4 workers by construction (steps x lr x lambda), the data's part differs (other minibatches, averaging), so
     * the mean |gamma| lost on 4 workers must be within 25% of one worker's; without scaling it is far less.
     */
    @Test
    void fourWorkersShrinkTheGammasAsMuchAsOne() {
        double one = shrinkage(1, "linear", 5e-3);
        double four = shrinkage(4, "linear", 5e-3);
        double unscaled = shrinkage(4, "none", 5e-3);
        double unpenalised = shrinkage(4, "linear", 0);
        System.out.printf("mean |gamma| lost: 1 worker %.4f, 4 workers %.4f, unscaled %.4f, lambda 0 %.4f%n", one,
                four, unscaled, unpenalised);
        // the penalty works on the executors: without it the gammas keep far more
        assertTrue(unpenalised < 0.5 * four, "lambda 0 lost " + unpenalised + " against " + four);
        assertTrue(Math.abs(four / one - 1) <= 0.25, "mean |gamma| lost: 1 worker " + one + ", 4 workers " + four);
        assertTrue(unscaled < 0.6 * one, "without scaling 4 workers lost " + unscaled + " against " + one
                + " on one: the test cannot tell the rules apart");
    }

    /** Mean |gamma| lost by sparsity training on {@code workers} workers at {@code lambda} (gamma starts at 0.5). */
    private double shrinkage(int workers, String rule, double lambda) {
        JobConfig cfg = TestNets.config("model.depth=8", "sparsity.lambda=" + lambda, "data.path=" + TestNets.fashionMnist(),
                "data.limit-train=2560", "train.epochs=4", "train.workers=" + workers, "train.worker-scaling=" + rule,
                "train.seed=5");
        ImageSource data = ImageSource.open(cfg.data(), 10, new Configuration());
        ComputationGraph graph = Networks.forSparsityTraining(cfg, data.inputShape());
        ComputationGraph trained = SparkTrainer.train(sc, graph, data, cfg.train(), CheckpointStore.NONE,
                EpochListener.NONE).graph();
        double[] g = Arrays.stream(trained.getLayers()).filter(l -> l.conf().getLayer() instanceof BatchNormalization)
                .flatMapToDouble(l -> Arrays.stream(l.getParam("gamma").castTo(DataType.DOUBLE).toDoubleVector()))
                .map(Math::abs).toArray();
        return 0.5 - Arrays.stream(g).average().orElseThrow();
    }
}
