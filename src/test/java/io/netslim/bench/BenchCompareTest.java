package io.netslim.bench;

import io.netslim.testing.ChildJvm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * submit/bench-compare really runs netslim and PyTorch (Debian's python3-torch) in separate processes, alternating
 * sides, and PyTorch sees no OpenMP variable it was not given.
 */
@Tag("e2e")
class BenchCompareTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> TINY = List.of("--set", "model.depth=8", "--set", "model.input-shape=1x12x12",
            "--set", "train.batch-size=8");

    @TempDir
    Path dir;

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private Run compare(List<String> options, List<String> netslimOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", "submit/bench-compare", "--netslim",
                String.join(" ", ChildJvm.command())));
        cmd.addAll(options);
        cmd.add("--");
        cmd.addAll(netslimOptions);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        // what submit/netslim exports, and what an Intel OpenMP user may have set: neither may reach PyTorch
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("KMP_BLOCKTIME", "0");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "bench-compare still running after 5 min");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    private static void assumeTorch() throws Exception {
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").start();
        boolean torch = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        // CI installs python3-torch (.ci/run): there a missing torch is a failure, not a skip
        assertTrue(torch || System.getenv("CI") == null, "python3-torch is missing on CI");
        assumeTrue(torch, "Debian's python3-torch is not installed");
    }

    @Test
    void alternatesSeparateProcessesAndKeepsOpenMpVariablesFromPytorch() throws Exception {
        assumeTorch();
        File out = dir.resolve("compare.json").toFile();
        Run run = compare(List.of("--rounds", "2", "--runs", "2", "--warmup-seconds", "0", "--out", out.getPath(),
                "--pytorch-env", "OMP_NUM_THREADS=1"), TINY);
        assertEquals(0, run.exitCode(), run.stderr());
        JsonNode r = JSON.readTree(out);
        assertEquals(r, JSON.readTree(run.stdout().strip()), "--out holds what was printed");
        assertEquals("preresnet-8", r.get("model").asText());
        assertEquals(List.of("netslim", "pytorch", "pytorch", "netslim"), strings(r.get("order")));
        // PyTorch reports the OpenMP variables it saw: only the one it was given
        assertEquals(Map.of("OMP_NUM_THREADS", "1"), map(r.at("/pytorch/environment")));
        // netslim runs in the environment it was launched with
        assertEquals("PASSIVE", r.at("/netslim/environment/OMP_WAIT_POLICY").asText());
        assertEquals("0", r.at("/netslim/environment/KMP_BLOCKTIME").asText());
        assertTrue(strings(r.at("/pytorch/command")).containsAll(List.of("--depth", "8", "--shape", "1x12x12",
                "--batch", "8")), r.at("/pytorch/command").toString());
        for (String side : new String[] {"netslim", "pytorch"}) {
            double[] rounds = doubles(r.at("/" + side + "/rounds"));
            assertEquals(2, rounds.length, side);
            assertTrue(Arrays.stream(rounds).allMatch(v -> v > 0), side);
            double[] sorted = rounds.clone();
            Arrays.sort(sorted);
            assertEquals((sorted[0] + sorted[1]) / 2, r.at("/" + side + "/median").asDouble(), 1e-9, side);
            assertEquals(sorted[0], r.at("/" + side + "/min").asDouble(), 0, side);
            assertEquals(sorted[1], r.at("/" + side + "/max").asDouble(), 0, side);
        }
        assertEquals(r.at("/netslim/median").asDouble() / r.at("/pytorch/median").asDouble(),
                r.get("ratio_of_medians").asDouble(), 1e-9);
    }

    @Test
    void refusesWhatItCannotCompare() throws Exception {
        assumeTorch();
        Run badEnv = compare(List.of("--pytorch-env", "OMP_NUM_THREADS"), TINY);
        assertEquals(2, badEnv.exitCode());
        assertTrue(badEnv.stderr().contains("--pytorch-env 'OMP_NUM_THREADS': expected KEY=VALUE"), badEnv.stderr());
        List<String> vgg = new ArrayList<>(List.of("--set", "model.arch=vgg", "--set", "model.depth=11", "--set",
                "model.input-shape=1x32x32", "--set", "train.batch-size=8"));
        Run noTwin = compare(List.of("--rounds", "1", "--runs", "1", "--warmup-seconds", "0"), vgg);
        assertEquals(2, noTwin.exitCode());
        assertTrue(noTwin.stderr().contains("no PyTorch twin of vgg-11"), noTwin.stderr());
        assertTrue(noTwin.stdout().isBlank(), "no result for a comparison that did not happen");
    }

    private static List<String> strings(JsonNode array) {
        List<String> s = new ArrayList<>();
        array.forEach(n -> s.add(n.asText()));
        return s;
    }

    private static double[] doubles(JsonNode array) {
        List<Double> s = new ArrayList<>();
        array.forEach(n -> s.add(n.asDouble()));
        return s.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Map<String, String> map(JsonNode object) {
        Map<String, String> m = new TreeMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }
}
