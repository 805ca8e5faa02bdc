package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.artifacts.RunLedger;
import io.netslim.artifacts.Stage;
import io.netslim.report.MetricsLog;
import io.netslim.testing.TestNets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills the real launcher (kill -9) mid-stage and checks that the rerun resumes instead of starting over, and
 * ends exactly where an uninterrupted run of the same config ends (local mode is deterministic).
 */
@Tag("e2e")
class ResumeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Holds the uninterrupted run, which both tests compare with. */
    @TempDir
    static Path shared;
    private static Path uninterrupted;
    @TempDir
    Path dir;

    private List<String> command(Path output) {
        List<String> cmd = new ArrayList<>(List.of(new File("submit/netslim").getAbsolutePath(), "pipeline"));
        for (String set : List.of("data.path=" + TestNets.fashionMnist(), "data.limit-train=1200", "data.limit-test=300",
                "model.depth=8", "train.epochs=3", "train.checkpoint-every=1", "finetune.epochs=3", "spark.master=\"local[2]\"",
                "spark.conf.spark.ui.enabled=false", "output=\"" + output + "\"")) {
            cmd.add("--set");
            cmd.add(set);
        }
        return cmd;
    }

    /**
     * Runs the launcher; kills it with SIGKILL as soon as {@code killWhen} holds for its output folder (null: runs
     * it to the end). The kill points are files of the run ledger and of the checkpoints, never log wording.
     */
    private Run launch(Path output, Predicate<Path> killWhen) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(output)).redirectErrorStream(true);
        pb.environment().put("NETSLIM_HEAP", "3g");
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        reader.start();
        if (killWhen != null) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (!killWhen.test(output)) {
                assertTrue(p.isAlive() && System.nanoTime() < deadline, "never reached the kill point:\n" + log(lines));
                Thread.sleep(20);
            }
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        }
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        reader.join(10_000);
        return new Run(p.exitValue(), log(lines));
    }

    private static String log(List<String> lines) {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    private record Run(int exit, String log) {
    }

    /** The same config run once without interruption (in its own process), for the others to compare with. */
    private synchronized Path uninterrupted() throws Exception {
        if (uninterrupted == null) {
            Path out = shared.resolve("uninterrupted");
            Run run = launch(out, null);
            assertEquals(0, run.exit(), run.log());
            uninterrupted = out;
        }
        return uninterrupted;
    }

    @Test
    void killedDuringSparsityTrainingResumesFromTheCheckpointAndEndsAsAnUninterruptedRun() throws Exception {
        Path out = dir.resolve("run");
        // 1,200 images in rounds of 2 x 5 x 64: two chunks per epoch, a checkpoint after each
        Path checkpoint = out.resolve("_checkpoints/pass-1/e0001-c0001/state.json");
        Run killed = launch(out, run -> Files.exists(checkpoint));
        assertEquals(137, killed.exit(), killed.log());
        assertFalse(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(stage(out, Stage.SPARSE)), "sparsity training was committed before the kill");
        JsonNode position = JSON.readTree(checkpoint.toFile());
        assertEquals(1, position.get("epoch").asInt()); // continues at epoch 2, chunk 2 (counted from 0 here)
        assertEquals(1, position.get("chunk").asInt());
        String run = Files.readString(out.resolve(RunLedger.RUN));
        List<JsonNode> trainedBefore = metrics(out, Stage.SPARSE);
        assertEquals(List.of(1), epochs(trainedBefore), "epochs finished before the kill");

        Run rerun = launch(out, null);
        assertEquals(0, rerun.exit(), rerun.log());
        // the rerun resumed the run the ledger knows (it did not begin another) ...
        assertEquals(run, Files.readString(out.resolve(RunLedger.RUN)));
        // ... from the checkpoint: epoch 1 is not trained again (its line is the killed run's), epochs 2 and 3 are
        List<JsonNode> trained = metrics(out, Stage.SPARSE);
        assertEquals(List.of(1, 2, 3), epochs(trained), "sparse epochs in metrics.jsonl");
        assertEquals(trainedBefore.get(0), trained.get(0));
        assertTrue(Files.exists(stage(out, Stage.SPARSE)));
        assertEquals(0, Main.run("verify", out.toString()));
        // the resumed chunk saw exactly the minibatches of the uninterrupted run: the same gammas, to the bit
        Path reference = uninterrupted();
        assertEquals(Files.readString(reference.resolve("gammas.csv")), Files.readString(out.resolve("gammas.csv")));
        assertEquals(accuracy(reference, "sparse"), accuracy(out, "sparse"));
        assertEquals(accuracy(reference, "pruned"), accuracy(out, "pruned"));
        // and it trained only what was left after epoch 2, chunk 1: half of the 3 epochs the uninterrupted run trained
        assertEquals(sparseImages(reference) / 2, sparseImages(out));
    }

    /** The run's ledger entry of a stage of pass 1 (the only pass). */
    private static Path stage(Path run, Stage stage) {
        return run.resolve("_stages/pass-1-" + stage.step + ".json");
    }

    /** metrics.jsonl's lines of one stage, in order. */
    private static List<JsonNode> metrics(Path run, Stage stage) throws Exception {
        Path file = run.resolve(MetricsLog.FILE);
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                JsonNode n = line.isBlank() ? null : JSON.readTree(line);
                if (n != null && n.get("stage").asText().equals(stage.step)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    private static List<Integer> epochs(List<JsonNode> lines) {
        return lines.stream().map(n -> n.get("epoch").asInt()).toList();
    }

    private static long sparseImages(Path run) throws Exception {
        return JSON.readTree(run.resolve("report.json").toFile()).at("/stages/sparse/images").asLong(-1);
    }

    /** Every file of the run folder (its temporary folder aside) with its size, modification time and SHA-256. */
    private static Map<String, String> files(Path run) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(run)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                String name = run.relativize(f).toString();
                if (!name.startsWith("_tmp") && !name.startsWith("._tmp")) {
                    out.put(name, Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis() + " "
                            + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
                }
            }
        }
        return out;
    }

    private static double accuracy(Path run, String stage) throws Exception {
        return JSON.readTree(run.resolve("report.json").toFile())
                .path("stages").path(stage).path("test_accuracy").asDouble(-1);
    }

    @Test
    void killedDuringFineTuningDoesNotRedoTrainingOrPruning() throws Exception {
        Path out = dir.resolve("run2");
        Run killed = launch(out, run -> Files.exists(stage(run, Stage.PRUNE)));
        assertEquals(137, killed.exit(), killed.log());
        assertTrue(Files.exists(out.resolve("pruned.zip")));
        assertFalse(Files.exists(stage(out, Stage.FINETUNE)), "fine-tuning was committed before the kill");
        Map<String, String> killedFiles = files(out);
        List<JsonNode> trained = metrics(out, Stage.SPARSE);

        Run rerun = launch(out, null);
        assertEquals(0, rerun.exit(), rerun.log());
        // sparsity training and pruning were done: their ledger entries and models are untouched, no epoch was added
        for (String done : List.of("_stages/pass-1-sparse.json", "_stages/pass-1-prune.json", "sparse.zip", "gammas.csv",
                "pruned.zip")) {
            assertEquals(killedFiles.get(done), files(out).get(done), done + " was written again");
        }
        assertEquals(trained, metrics(out, Stage.SPARSE), "sparsity training ran again");
        assertTrue(Files.exists(stage(out, Stage.FINETUNE)), "fine-tuning was not committed");
        assertEquals(0, Main.run("verify", out.toString()));
        assertEquals(accuracy(uninterrupted(), "finetuned"), accuracy(out, "finetuned"));

        // a finished run is left as it is: not one of its files is written again
        Map<String, String> finished = files(out);
        Run again = launch(out, null);
        assertEquals(0, again.exit(), again.log());
        assertEquals(finished, files(out));
    }
}
