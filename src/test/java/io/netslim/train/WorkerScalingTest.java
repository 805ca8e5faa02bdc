package io.netslim.train;

import io.netslim.TestHdfs;
import io.netslim.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.pipeline.Networks;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same sparsity on 1 and on 4 workers (Spark local[2]): the gammas shrink alike under the linear rule. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerScalingTest {
    private JavaSparkContext sc;

    @BeforeAll
    void start() {
        sc = TestHdfs.localSpark("WorkerScalingTest");
    }

    @AfterAll
    void stop() {
        if (sc != null) {
            sc.close();
        }
    }

    @Test
    void linearScalingWarmsUpToWTimesTheRate() {
        JobConfig.TrainConfig t = TestNets.config("train.epochs=40", "train.lr=0.1").train();
        WorkerScaling linear = WorkerScaling.of(t, 4);
        assertEquals(2, linear.warmupEpochs());
        assertEquals(1.75, linear.factor(0)); // the mean of a per-step ramp from 1 to 4 over two epochs
        assertEquals(3.25, linear.factor(1));
        assertEquals(4.0, linear.factor(2));
        assertEquals(4.0, WorkerScaling.of(TestNets.config("train.epochs=9").train(), 4).factor(0)); // no warm-up
        assertEquals(0.4, linear.lr(new StepSchedule(0.1), 10, 40), 1e-12);
        assertEquals(0.004, linear.lr(new StepSchedule(0.1), 30, 40), 1e-12); // the step decay still applies
        assertEquals(1.0, WorkerScaling.of(TestNets.config("train.worker-scaling=none").train(), 4).factor(5));
        assertEquals(1.0, WorkerScaling.of(t, 1).factor(5));
        // the L1 shrinkage of an epoch is one worker's on every worker count
        double one = WorkerScaling.of(t, 1).describe(t, 1e-3, 6400).path("l1_shrink_per_epoch").asDouble();
        assertEquals(one, linear.describe(t, 1e-3, 6400).path("l1_shrink_per_epoch").asDouble(), 1e-12);
        assertEquals(one / 4, WorkerScaling.of(TestNets.config("train.epochs=40", "train.worker-scaling=none").train(), 4)
                .describe(t, 1e-3, 6400).path("l1_shrink_per_epoch").asDouble(), 1e-12);
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
