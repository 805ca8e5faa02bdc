package io.netslim.train;

import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.bench.AveragingBenchmark;
import io.netslim.pipeline.Networks;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.nd4j.linalg.dataset.DataSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * netslim's parameter averaging on Spark local[2]: it computes what DL4J's master computes, repeats bit for bit
 * with more workers than cores, keeps its networks between rounds and fits, and lets no worker's state reach the
 * driver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NetslimAveragingTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withSpark();

    private static final long[] SHAPE = {1, 16, 16};
    private static final int BATCH = 16;
    private JavaSparkContext sc;

    @BeforeAll
    void start() {
        sc = cluster.sc();
    }

    /** The executors are this JVM: the kept networks (vgg-bn-16's are 3 GB) must not outlive a test. */
    @AfterEach
    void release() {
        ReplicaPool.clear();
        System.gc();
    }

    private JavaRDD<DataSet> batches(int count, int workers, long seed) {
        return AveragingBenchmark.randomMinibatches(sc, count, workers, SHAPE, BATCH, 10, seed);
    }

    /**
     * One round on 3 workers, each training 2 minibatches from the same start: both masters give the same averaged
     * parameters and updater state to float rounding (they sum the 3 states in different orders), the same score
     * and the same iteration count.
     */
    @Test
    void agreesWithDl4jOnOneRound() {
        ComputationGraph start = TestNets.preResNet(8, 16, 5);
        start.getUpdater(true);
        int workers = 3;
        int frequency = 2;
        JavaRDD<DataSet> data = batches(workers * frequency, workers, 11);

        ComputationGraph dl4j = start.clone();
        ParameterAveragingTrainingMaster master = SparkTrainer.master(BATCH, frequency, workers,
                TrainingApproach.resolve("direct", sc.hadoopConfiguration(), "test"), 1);
        SparkComputationGraph spark = new SparkComputationGraph(sc, dl4j, master);
        spark.fit(data);
        dl4j = spark.getNetwork();

        ComputationGraph ours = start.clone();
        NetslimAveraging.Fit fit = NetslimAveraging.fit(sc, ours, data, frequency, 1, false);

        assertEquals(1, fit.rounds());
        float[] a = dl4j.params().toFloatVector();
        float[] b = ours.params().toFloatVector();
        float[] s = start.params().toFloatVector();
        assertClose(a, b, "parameters");
        assertFalse(java.util.Arrays.equals(s, b), "nothing trained");
        assertClose(dl4j.getUpdater().getStateViewArray().toFloatVector(),
                ours.getUpdater().getStateViewArray().toFloatVector(), "updater state");
        assertEquals(spark.getScore(), fit.score(), 1e-5 * Math.abs(spark.getScore()));
        assertEquals(dl4j.getConfiguration().getIterationCount(), ours.getConfiguration().getIterationCount());
        assertEquals(frequency, ours.getConfiguration().getIterationCount());
    }

    /** Each element within a few float ulps of its magnitude (a sum of 3 in another order, then / 3). */
    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(Math.abs(expected[i]), 1e-3);
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / scale);
        }
        assertTrue(worst < 1e-5, what + ": largest relative difference " + worst);
    }

    /**
     * 4 workers on 2 cores, 13 minibatches at 3 per round (the last round has one worker left): two fits from the
     * same start give the same bytes; the second builds no network (the first one's stay on the executor).
     */
    @Test
    void repeatsBitForBitAndKeepsItsNetworks() {
        JobConfig cfg = TestNets.config("model.depth=8", "model.input-shape=1x16x16");
        ComputationGraph start = Networks.forSparsityTraining(cfg, SHAPE);
        JavaRDD<DataSet> data = batches(13, 4, 3);

        ComputationGraph first = start.clone();
        NetslimAveraging.Fit a = NetslimAveraging.fit(sc, first, data, 3, 7, true);
        int built = ReplicaPool.built();
        ComputationGraph second = start.clone();
        NetslimAveraging.Fit b = NetslimAveraging.fit(sc, second, data, 3, 7, true);

        assertEquals(2, a.rounds());
        assertEquals(1, a.measured().get(1).tasks().size(), "one worker has a minibatch left in round 2");
        assertArrayEquals(first.params().toFloatVector(), second.params().toFloatVector());
        assertArrayEquals(first.getUpdater().getStateViewArray().toFloatVector(),
                second.getUpdater().getStateViewArray().toFloatVector());
        assertEquals(a.score(), b.score());
        assertEquals(built, ReplicaPool.built(), "the second fit built networks");
        assertTrue(b.measured().stream().flatMap(r -> r.tasks().stream()).allMatch(t -> t.initMs() == 0));
        assertEquals(6, first.getConfiguration().getIterationCount());
        assertFalse(java.util.Arrays.equals(start.params().toFloatVector(), first.params().toFloatVector()));
    }

    /**
     * vgg-bn-16 with 1,000 classes: 138 M parameters and their momentum, a state over 1 GiB, which DL4J's master
     * cannot average under Spark's default spark.driver.maxResultSize (1g: every worker's state comes to the
     * driver). netslim's averages it (one round on 2 workers) and its driver collects it in slices.
     */
    @Test
    void averagesAStateOverOneGibUnderSparksDefaultMaxResultSize() {
        assertEquals("1g", sc.getConf().get("spark.driver.maxResultSize", "1g"));
        long[] shape = {3, 224, 224};
        ComputationGraph net = new ComputationGraph(io.netslim.model.ModelRegistry.get("vgg-bn", 16).build(
                new io.netslim.model.ModelSpec("vgg-bn", 16, 1000, shape, 0.5),
                TrainingDefaults.sgd(0.01, 0.9, false, 1e-4, 1)));
        net.init();
        FlatState layout = FlatState.of(net);
        assertTrue(layout.bytes() > (1L << 30), layout.bytes() + " bytes");
        float[] before = head(net);
        JavaRDD<DataSet> data = AveragingBenchmark.randomMinibatches(sc, 2, 2, shape, 1, 1000, 3);
        NetslimAveraging.Fit fit = NetslimAveraging.fit(sc, net, data, 1, 1, false);
        assertEquals(1, fit.rounds());
        assertTrue(fit.slices() >= 64, fit.slices() + " slices");
        assertTrue(Double.isFinite(fit.score()), "score " + fit.score());
        float[] after = head(net);
        assertFalse(java.util.Arrays.equals(before, after), "the first convolution did not train");
        assertTrue(net.getUpdater().getStateViewArray().amaxNumber().doubleValue() > 0, "momentum was not averaged");
    }

    /** The first 1,000 parameters (the first convolution's). */
    private static float[] head(ComputationGraph net) {
        float[] v = new float[1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = net.params().getFloat(i);
        }
        return v;
    }
}
