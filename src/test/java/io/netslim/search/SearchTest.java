package io.netslim.search;

import io.netslim.testing.PngCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.testing.TestNets;
import io.netslim.cli.ExitCodes;
import io.netslim.prune.BnScaleImportance;
import io.netslim.prune.ChannelGroup;
import io.netslim.prune.DependencyGraph;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search on real runs (Fashion-MNIST sample, Spark local[2]): it picks the right candidate where the answer is
 * known, and a search killed with SIGKILL resumes without redoing the candidates it had finished.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("e2e")
class SearchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Path dir;
    /** A finished run with a validation split, pruned to a FLOPs budget. */
    private Path trained;

    private static List<String> common(Path output, String... more) {
        List<String> args = new ArrayList<>(List.of("pipeline"));
        List<String> sets = new ArrayList<>(List.of("data.path=" + TestNets.fashionMnist(), "data.limit-train=3000",
                "data.limit-test=300", "data.validation=0.2", "model.depth=8", "finetune.epochs=0", "export.onnx=false",
                "eval.monitor-images=0", "spark.master=\"local[2]\"", "spark.conf.spark.ui.enabled=false",
                "output=\"" + output.toUri() + "\""));
        sets.addAll(List.of(more));
        sets.forEach(s -> {
            args.add("--set");
            args.add(s);
        });
        return args;
    }

    @BeforeAll
    void trainARun(@TempDir Path base) throws Exception {
        dir = base;
        trained = dir.resolve("trained");
        assertEquals(ExitCodes.OK, Main.run(common(trained, "train.epochs=3", "prune.keep-flops=0.6")
                .toArray(String[]::new)));
        JsonNode target = JSON.readTree(trained.resolve("report.json").toFile()).at("/prune/target");
        assertEquals("prune.keep-flops", target.get("key").asText());
        assertTrue(target.get("achieved").asDouble() <= 0.6, target.toString());
        assertEquals(600, JSON.readTree(trained.resolve("report.json").toFile()).at("/data/validation_images").asInt());
    }

    /**
     * The trained sparse model with gamma and beta zeroed in the lowest 30% of every group's channels: those channels
     * output nothing, so pruning them (ratios up to their share f) keeps the validation accuracy exactly, and
     * pruning 85% without fine-tuning does not. Started from (model.init) with a learning rate that changes nothing,
     * it becomes a run's sparse model; the search must choose f.
     */
    @Test
    void picksTheMostPrunedCandidateWithinTheBudgetWhereTheAnswerIsKnown() throws Exception {
        ComputationGraph sparse = ModelSerializer.restoreComputationGraph(trained.resolve("sparse.zip").toFile(), false);
        DependencyGraph deps = DependencyGraph.of(sparse.getConfiguration(), io.netslim.config.JobConfig.ChannelSelection.AUTO);
        int dead = 0;
        int total = 0;
        for (ChannelGroup g : deps.groups().values()) {
            double[] s = new BnScaleImportance().score(sparse, g);
            int n = (int) Math.floor(0.3 * s.length);
            int[] lowest = IntStream.range(0, s.length).boxed().sorted(Comparator.comparingDouble(i -> s[i]))
                    .limit(n).mapToInt(Integer::intValue).toArray();
            for (String bn : g.batchNorms()) {
                for (String p : List.of("gamma", "beta")) {
                    INDArray v = sparse.getLayer(bn).getParam(p);
                    for (int c : lowest) {
                        v.putScalar(c, 0.0);
                    }
                }
            }
            dead += n;
            total += s.length;
        }
        File doctored = dir.resolve("doctored.zip").toFile();
        ModelSerializer.writeModel(sparse, doctored, false);
        Path run = dir.resolve("known");
        assertEquals(ExitCodes.OK, Main.run(common(run, "train.epochs=1", "train.lr=1e-9",
                "model.init=\"" + doctored.toURI() + "\"").toArray(String[]::new)));

        double f = (double) dead / total;
        double half = Math.round(f / 2 * total) / (double) total;
        String ratios = half + "," + f + ",0.85";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Main.run("search", "--run", run.toUri().toString(), "--max-accuracy-drop", "0.01", "--ratios",
                    ratios, "--finetune-epochs", "0", "--json");
        } finally {
            System.setOut(stdout);
        }
        assertEquals(ExitCodes.OK, code, out.toString(StandardCharsets.UTF_8));
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode printed = JSON.readTree(lines[lines.length - 1]);
        JsonNode search = JSON.readTree(run.resolve("search.json").toFile());
        double base = search.at("/sparse/validation_accuracy").asDouble();
        JsonNode candidates = search.get("candidates");
        assertEquals(3, candidates.size());
        assertTrue(base > 0.3, "the sparse model learned something: " + base);
        for (int i = 0; i < 2; i++) {
            assertEquals(base, candidates.get(i).get("validation_accuracy").asDouble(), 1.0 / 600 + 1e-9,
                    "pruning dead channels changes nothing: " + candidates.get(i));
        }
        assertTrue(candidates.get(2).get("validation_accuracy").asDouble() < base - 0.01,
                "pruning 85% without fine-tuning costs accuracy: " + candidates.get(2));
        assertEquals(f, printed.get("chosen_ratio").asDouble(), 1e-12, printed.toString());
        assertEquals(search.at("/chosen/flops_kept").asDouble(), printed.get("flops_kept").asDouble());
        // (the dead channels' gammas tie at 0, so the lower ratio may already remove all of them)
        assertTrue(printed.get("flops_kept").asDouble() <= candidates.get(0).get("flops_kept").asDouble());
        // finetune.epochs = 0: the chosen model is the sparse one without its dead channels, on the test set too
        assertEquals(JSON.readTree(run.resolve("report.json").toFile()).at("/stages/sparse/test_accuracy").asDouble(),
                printed.get("test_accuracy").asDouble(), 1.0 / 300 + 1e-9, printed.toString());
        assertEquals("spark", search.get("mode").asText());
        PngCheck.assertMeaningfulPng(Files.readAllBytes(run.resolve("plots/search.png")), "plots/search.png");
        assertTrue(ModelSerializer.restoreComputationGraph(run.resolve(RatioSearch.SEARCHED).toFile(), false)
                .numParams() < sparse.numParams());
        String manifest = Files.readString(run.resolve("manifest.json"));
        assertTrue(manifest.contains("\"search.json\"") && manifest.contains("\"searched.zip\"")
                && manifest.contains("\"plots/search.png\""), manifest);
        assertEquals(ExitCodes.OK, Main.run("verify", run.toUri().toString()));
    }

    @Test
    void aSearchKilledWithSigkillResumesWithoutRedoingFinishedCandidates() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(new File("submit/netslim").getAbsolutePath(), "search", "--run",
                trained.toUri().toString(), "--max-accuracy-drop", "0.05", "--candidates", "3", "--finetune-epochs", "1"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("NETSLIM_HEAP", "3g");
        Process p = pb.start();
        StringBuilder log = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
        });
        reader.start();
        // killed as soon as the ledger holds a finished candidate
        Path stages = trained.resolve("_stages");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (candidates(stages).isEmpty()) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "no candidate finished:\n" + log);
            Thread.sleep(20);
        }
        p.destroyForcibly(); // SIGKILL
        assertTrue(p.waitFor(1, TimeUnit.MINUTES));
        reader.join(10_000);
        assertEquals(137, p.exitValue(), log.toString());

        Map<String, String> before = candidates(stages);
        assertTrue(before.size() >= 1 && before.size() < 3, "finished before the kill: " + before.keySet());
        assertFalse(Files.exists(trained.resolve("search.json")));
        Map<String, Long> times = new LinkedHashMap<>();
        for (String f : before.keySet()) {
            times.put(f, Files.getLastModifiedTime(stages.resolve(f)).toMillis());
        }

        assertEquals(ExitCodes.OK, Main.run("search", "--run", trained.toUri().toString(), "--max-accuracy-drop",
                "0.05", "--candidates", "3", "--finetune-epochs", "1"));
        Map<String, String> after = candidates(stages);
        assertEquals(3, after.size(), after.keySet().toString());
        for (String f : before.keySet()) {
            assertEquals(before.get(f), after.get(f), f + " was evaluated again");
            assertEquals(times.get(f), Files.getLastModifiedTime(stages.resolve(f)).toMillis(), f + " rewritten");
        }
        JsonNode search = JSON.readTree(trained.resolve("search.json").toFile());
        assertEquals(3, search.get("candidates").size());
        assertEquals(3 - before.size(), search.get("candidates_evaluated").asInt());
        for (JsonNode c : search.get("candidates")) {
            // the seconds and host the killed process measured survive into search.json for its candidates
            String name = String.format("search-candidate-e1-s%d-r%.4f.json", search.get("shard_images").asInt(),
                    c.get("ratio").asDouble());
            JsonNode recorded = JSON.readTree(after.get(name)).get("record");
            assertEquals(recorded.get("seconds").asDouble(), c.get("seconds").asDouble(), name);
        }
        assertEquals(ExitCodes.OK, Main.run("verify", trained.toUri().toString()));
    }

    private static Map<String, String> candidates(Path stages) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (var files = Files.list(stages)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("search-candidate-")).sorted().toList()) {
                out.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        return out;
    }
}
