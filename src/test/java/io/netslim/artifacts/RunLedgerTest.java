package io.netslim.artifacts;

import io.netslim.train.RunCheckpoints;
import io.netslim.Main;
import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.train.CheckpointStore;
import io.netslim.train.TrainingPosition;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunLedgerTest {
    private static final String CONFIG = "{\"train\":{\"epochs\":3,\"lr\":0.1},\"output\":\"a\",\"spark\":{\"master\":\"local[2]\"}}";

    @Test
    void sameConfigResumesOtherConfigIsRefusedWithTheDifferingKeys(@TempDir Path dir) {
        ArtifactStore store = ArtifactStore.open(dir.toString(), new Configuration());
        RunLedger ledger = new RunLedger(store);
        assertEquals(RunLedger.Start.NEW, ledger.begin(CONFIG, false));
        // output and Spark settings may change between a run and its resumption
        assertEquals(RunLedger.Start.RESUME, ledger.begin(CONFIG.replace("local[2]", "yarn").replace("\"a\"", "\"b\""), false));
        ConfigException e = assertThrows(ConfigException.class,
                () -> ledger.begin(CONFIG.replace("\"epochs\":3", "\"epochs\":5"), false));
        assertTrue(e.getMessage().contains("train.epochs: 3 -> 5"), e.getMessage());
        assertFalse(e.getMessage().contains("train.lr"), e.getMessage());
        // --overwrite starts over
        assertEquals(RunLedger.Start.NEW, ledger.begin(CONFIG.replace("\"epochs\":3", "\"epochs\":5"), true));
    }

    @Test
    void aFolderThatIsNotARunIsNotTouched(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("precious.txt"), "keep me");
        RunLedger ledger = new RunLedger(ArtifactStore.open(dir.toString(), new Configuration()));
        ConfigException e = assertThrows(ConfigException.class, () -> ledger.begin(CONFIG, false));
        assertTrue(e.getMessage().contains("precious.txt"), e.getMessage());
        assertTrue(Files.exists(dir.resolve("precious.txt")));
    }

    @Test
    void finishedRunVerifiesAndACorruptedFileIsNamed(@TempDir Path dir) throws Exception {
        ArtifactStore store = ArtifactStore.open(dir.toString(), new Configuration());
        RunLedger ledger = new RunLedger(store);
        ledger.begin(CONFIG, false);
        store.writeText("a.txt", "alpha");
        store.writeText("pass-1/b.txt", "beta");
        ledger.commit("pass-1/first", List.of("a.txt", "pass-1/b.txt"), new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode());
        assertTrue(ledger.isDone("pass-1/first"));
        ledger.finish("test", Map.of("b.txt", "a.txt"));
        assertEquals(RunLedger.Start.FINISHED, ledger.begin(CONFIG, false));
        assertTrue(ledger.verify().isEmpty(), ledger.verify().toString());
        assertEquals(0, Main.run("verify", dir.toString()));

        Files.writeString(dir.resolve("pass-1/b.txt"), "bexa");
        List<String> problems = ledger.verify();
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).contains("pass-1/b.txt"), problems.get(0));
        assertEquals(5, Main.run("verify", dir.toString()));
        assertThrows(OutputException.class, () -> ledger.check("pass-1/first", "pass-1/b.txt"));
    }

    @Test
    void aDamagedCheckpointIsSkippedForThePreviousOne(@TempDir Path dir) throws Exception {
        ArtifactStore store = ArtifactStore.open(dir.toString(), new Configuration());
        CheckpointStore checkpoints = new RunCheckpoints(store, "pass-1");
        ComputationGraph net = TestNets.preResNet(8, 12, 1);
        checkpoints.save(net, new TrainingPosition(1, 0));
        checkpoints.save(net, new TrainingPosition(2, 0));
        checkpoints.save(net, new TrainingPosition(3, 0));
        assertEquals(2, store.list("_checkpoints/pass-1").size()); // the newest two are kept
        assertEquals(new TrainingPosition(3, 0), checkpoints.latest().orElseThrow().next());

        Path newest = dir.resolve("_checkpoints/pass-1/e0003-c0000/model.zip");
        try (RandomAccessFile f = new RandomAccessFile(newest.toFile(), "rw")) {
            f.setLength(f.length() / 2); // truncated, as by a crash or a full disk
        }
        CheckpointStore.Checkpoint restored = checkpoints.latest().orElseThrow();
        assertEquals(new TrainingPosition(2, 0), restored.next());
        assertEquals(net.params(), restored.net().params());

        Files.writeString(dir.resolve("_checkpoints/pass-1/e0002-c0000/state.json"), "{broken");
        assertTrue(checkpoints.latest().isEmpty());
    }
}
