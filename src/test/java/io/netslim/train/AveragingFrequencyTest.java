package io.netslim.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.pipeline.Networks;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train.averaging-frequency = auto: the choice from measured costs, its validation, and a real run on local[2]. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AveragingFrequencyTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withSpark();

    private JavaSparkContext sc;

    @BeforeAll
    void start() {
        sc = cluster.sc();
    }

    @Test
    void choosesTheSmallestFrequencyThatKeepsCommunicationUnderTenPercent() {
        double[][] cases = {{100, 100}, {100, 11.2}, {100, 11.1}, {250, 40}, {3, 1}, {80, 500}, {1000, 0.5}};
        for (double[] c : cases) {
            double step = c[0];
            double comm = c[1];
            int f = AveragingFrequency.choose(step, comm, 1000);
            assertTrue(comm / (f * step + comm) <= 0.10 + 1e-12, "F " + f + " for step " + step + ", comm " + comm);
            if (f > 1) {
                assertTrue(comm / ((f - 1) * step + comm) > 0.10, "F " + (f - 1) + " already enough for " + step
                        + ", " + comm);
            }
        }
        assertEquals(9, AveragingFrequency.choose(100, 100, 1000)); // exactly 10% at 9
        assertEquals(2, AveragingFrequency.choose(100, 11.2, 1000));
        assertEquals(1, AveragingFrequency.choose(100, 11.1, 1000));
        assertEquals(1, AveragingFrequency.choose(100, 0, 1000));
        assertEquals(12, AveragingFrequency.choose(10, 1000, 12)); // capped
        assertEquals(12, AveragingFrequency.choose(0, 5, 12)); // no measurable compute: as rarely as allowed
        assertEquals(AveragingFrequency.MAX_FREQUENCY, AveragingFrequency.cap(10_000));
        assertEquals(3, AveragingFrequency.cap(3));
        assertEquals(1, AveragingFrequency.cap(0));
    }

    @Test
    void configTakesAPositiveIntegerOrAuto() {
        assertTrue(TestNets.config("train.averaging-frequency=auto").train().autoAveraging());
        assertEquals(7, TestNets.config("train.averaging-frequency=7").train().averagingFrequency());
        assertFalse(TestNets.config().train().autoAveraging()); // the default stays a fixed 5
        assertEquals(5, TestNets.config().train().averagingFrequency());
        for (String bad : List.of("0", "-2", "often", "2.5")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TestNets.config("train.averaging-frequency=" + bad));
            assertEquals(1, e.problems().size(), e.getMessage());
            assertTrue(e.getMessage().contains("train.averaging-frequency = ") && e.getMessage().contains(bad)
                    && e.getMessage().contains("expected a positive integer or auto (minibatches per worker"),
                    e.getMessage());
        }
    }

    /**
     * The probe trains a copy, with either master: the network it measured is untouched; the bytes are its
     * parameters and updater; the driver's result bytes and broadcast bytes are measured.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void probeMeasuresRoundsOnACopy(boolean netslim) {
        ComputationGraph net = TestNets.preResNet(8, 16, 1);
        float[] before = net.params().toFloatVector();
        int workers = 2;
        int frequency = 3;
        var batches = io.netslim.bench.AveragingBenchmark.randomMinibatches(sc, workers * frequency * 4, workers,
                new long[] {1, 16, 16}, 32, 10, 1);
        AveragingRound round = AveragingProbe.measure(sc, net, batches, workers, 32, frequency,
                TrainingApproach.resolve("direct", sc.hadoopConfiguration(), "test"), 1, 1, netslim);
        assertArrayEquals(before, net.params().toFloatVector());
        assertEquals(3, round.rounds());
        assertEquals(frequency, round.frequency());
        assertEquals(net.numParams() * 4, round.paramBytes());
        assertEquals(net.getUpdater().getStateViewArray().length() * 4, round.updaterBytes());
        assertTrue(round.updaterBytes() > 0, "momentum is averaged too");
        assertEquals(2L * workers * round.stateBytes(), round.bytesPerRound());
        // times are measured, never compared with the clock here: each figure is a range over the rounds, and
        // the communication of a round is what its time holds beyond frequency x the median step
        for (AveragingRound.Figure f : List.of(round.roundMs(), round.stepMs(), round.aggregateMs(), round.commMs())) {
            assertTrue(f.min() >= 0 && f.min() <= f.median() && f.median() <= f.max(), round.line());
        }
        double steps = frequency * round.stepMs().median();
        assertEquals(Math.max(0, round.roundMs().min() - steps), round.commMs().min(), 1e-9, round.line());
        assertEquals(Math.max(0, round.roundMs().median() - steps), round.commMs().median(), 1e-9, round.line());
        assertEquals(Math.max(0, round.roundMs().max() - steps), round.commMs().max(), 1e-9, round.line());
        assertEquals(netslim ? "netslim" : "dl4j", round.master());
        assertTrue(round.driverResultBytes().median() > 0, round.json().toString());
        // DL4J sends every worker's state to the driver each round; netslim sends it none
        if (netslim) {
            assertTrue(round.driverResultBytes().max() < round.stateBytes() / 4, round.json().toString());
        } else {
            assertTrue(round.driverResultBytes().min() >= workers * round.stateBytes() / 2, round.json().toString());
        }
        assertTrue(round.broadcastBytes() > 0, round.json().toString());
    }

    /**
     * auto on local[2]: measures, chooses, reports and trains; the checkpoints record the choice and a run resumed
     * from the first epoch's checkpoint reuses it and ends exactly where the uninterrupted run ended, as does a run
     * configured with the chosen frequency.
     */
    @Test
    void autoMeasuresChoosesTrainsAndResumes() {
        JobConfig cfg = TestNets.config("model.depth=8", "data.path=" + TestNets.fashionMnist(), "data.limit-train=1024",
                "train.epochs=2", "train.workers=2", "train.averaging-frequency=auto", "train.seed=3");
        ImageSource data = ImageSource.open(cfg.data(), 10, new Configuration());
        ComputationGraph start = Networks.forSparsityTraining(cfg, data.inputShape());
        float[] initial = start.params().toFloatVector();
        Memory store = new Memory();
        SparkTrainer.Result run = SparkTrainer.train(sc, start, data, cfg.train(), store, EpochListener.NONE);
        AveragingFrequency choice = run.averaging();
        assertEquals("measured", choice.source());
        assertNotNull(choice.measured());
        assertEquals(SparkTrainer.PROBE_ROUNDS - 1, choice.measured().rounds());
        assertEquals(SparkTrainer.PROBE_FREQUENCY, choice.measured().frequency());
        assertEquals(8, choice.cap()); // 1,024 images, 2 workers, batch 64: 8 minibatches per worker and epoch
        assertTrue(choice.frequency() >= 1 && choice.frequency() <= 8, choice.line());
        assertEquals(AveragingFrequency.choose(choice.measured().stepMs().median(),
                choice.measured().commMs().median(), 8), choice.frequency());
        ObjectNode json = choice.json();
        assertEquals(choice.frequency(), json.get("frequency").asInt());
        assertEquals(choice.measured().stepMs().median(), json.get("compute_ms_per_minibatch").asDouble(), json.toString());
        assertTrue(json.has("comm_ms_per_round") && json.at("/measured/bytes_per_round").asLong() > 0, json.toString());
        float[] trained = run.graph().params().toFloatVector();
        assertFalse(java.util.Arrays.equals(initial, trained), "auto trained nothing");
        assertEquals(2, store.saved.size());
        store.saved.forEach(c -> assertEquals(choice.frequency(), c.next().averagingFrequency()));

        store.latest = store.saved.get(0); // killed after epoch 1
        SparkTrainer.Result resumed = SparkTrainer.train(sc, Networks.forSparsityTraining(cfg, data.inputShape()), data,
                cfg.train(), store, EpochListener.NONE);
        assertEquals("checkpoint", resumed.averaging().source());
        assertEquals(choice.frequency(), resumed.averaging().frequency());
        assertArrayEquals(trained, resumed.graph().params().toFloatVector());

        // the measuring rounds trained a copy: configured with the chosen frequency, training ends at the same place
        JobConfig.TrainConfig fixed = cfg.train().withAveragingFrequency(choice.frequency());
        SparkTrainer.Result same = SparkTrainer.train(sc, Networks.forSparsityTraining(cfg, data.inputShape()), data,
                fixed, CheckpointStore.NONE, EpochListener.NONE);
        assertEquals("configured", same.averaging().source());
        assertArrayEquals(trained, same.graph().params().toFloatVector());
    }

    /** Keeps every checkpoint in memory; {@link #latest} is what a rerun finds. */
    private static final class Memory implements CheckpointStore {
        final List<Checkpoint> saved = new ArrayList<>();
        Checkpoint latest;

        @Override
        public void save(ComputationGraph net, TrainingPosition next) {
            saved.add(new Checkpoint(copy(net), next, "c" + saved.size()));
        }

        @Override
        public Optional<Checkpoint> latest() {
            return latest == null ? Optional.empty() : Optional.of(new Checkpoint(copy(latest.net()), latest.next(),
                    latest.name()));
        }

        /** A copy with the iteration count, as a checkpoint file keeps it (the warm-up is by iteration). */
        private static ComputationGraph copy(ComputationGraph net) {
            ComputationGraph copy = net.clone();
            copy.getConfiguration().setIterationCount(net.getConfiguration().getIterationCount());
            copy.getConfiguration().setEpochCount(net.getConfiguration().getEpochCount());
            return copy;
        }
    }
}
