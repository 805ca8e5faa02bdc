package io.netslim.pipeline;

import io.netslim.Main;
import io.netslim.testing.TestNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills the real launcher (kill -9) mid-stage and checks that the rerun resumes instead of starting over, and
 * ends exactly where an uninterrupted run of the same config ends (local mode is deterministic).
 */
class ResumeTest {
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

    /** Runs the launcher; kills it with SIGKILL once a log line contains {@code killAt} (null: run to the end). */
    private Run launch(Path output, String killAt) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command(output)).redirectErrorStream(true);
        pb.environment().put("NETSLIM_HEAP", "3g");
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        CountDownLatch seen = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (killAt != null && line.contains(killAt)) {
                        seen.countDown();
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        reader.start();
        if (killAt != null) {
            assertTrue(seen.await(5, TimeUnit.MINUTES), "never saw '" + killAt + "'");
            p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        }
        assertTrue(p.waitFor(10, TimeUnit.MINUTES));
        reader.join(10_000);
        synchronized (lines) {
            return new Run(p.exitValue(), String.join("\n", lines));
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
        Run killed = launch(out, "saved (continues at epoch 2, chunk 2)");
        assertEquals(137, killed.exit(), killed.log());
        assertFalse(Files.exists(out.resolve("_SUCCESS")));

        Run rerun = launch(out, null);
        assertEquals(0, rerun.exit(), rerun.log());
        assertTrue(rerun.log().contains("resuming run in"), rerun.log());
        assertTrue(rerun.log().contains("resuming sparsity training from checkpoint") && rerun.log().contains("e0001-c0001")
                && rerun.log().contains(": epoch 2/3, chunk 2/2"), rerun.log());
        assertFalse(rerun.log().contains("sparsity training epoch 1/3"), "epoch 1 was trained again:\n" + rerun.log());
        assertTrue(rerun.log().contains("sparsity training epoch 3/3"), rerun.log());
        assertEquals(0, Main.run("verify", out.toString()));
        // the resumed chunk saw exactly the minibatches of the uninterrupted run: the same gammas, to the bit
        Path reference = uninterrupted();
        assertEquals(Files.readString(reference.resolve("gammas.csv")), Files.readString(out.resolve("gammas.csv")));
        assertEquals(accuracy(reference, "sparse"), accuracy(out, "sparse"));
        assertEquals(accuracy(reference, "pruned"), accuracy(out, "pruned"));
    }

    private static double accuracy(Path run, String stage) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve("report.json").toFile())
                .path("stages").path(stage).path("test_accuracy").asDouble(-1);
    }

    @Test
    void killedDuringFineTuningDoesNotRedoTrainingOrPruning() throws Exception {
        Path out = dir.resolve("run2");
        Run killed = launch(out, "fine-tune: starting");
        assertEquals(137, killed.exit(), killed.log());
        assertTrue(Files.exists(out.resolve("pruned.zip")));

        Run rerun = launch(out, null);
        assertEquals(0, rerun.exit(), rerun.log());
        assertTrue(rerun.log().contains("stage sparse already done"), rerun.log());
        assertTrue(rerun.log().contains("stage prune already done"), rerun.log());
        assertFalse(rerun.log().contains("sparsity training epoch"), rerun.log());
        assertFalse(rerun.log().contains("prunable channels"), rerun.log());
        assertTrue(rerun.log().contains("fine-tuned model: test accuracy"), rerun.log());
        assertEquals(0, Main.run("verify", out.toString()));
        assertEquals(accuracy(uninterrupted(), "finetuned"), accuracy(out, "finetuned"));

        Run again = launch(out, null);
        assertEquals(0, again.exit(), again.log());
        assertTrue(again.log().contains("already finished; nothing to do"), again.log());
    }
}
