package io.netslim.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * submit/gpu-check.sh on the CPU build (no GPU here): with the CPU cluster jar on both sides it compares the
 * portable kernels with the CPU kernels on ND4J's CPU backend and passes; with a tolerance below their real difference
 * it fails, naming the largest difference; runs that are not the same check and bad arguments are refused. Spark, Hadoop and Jackson come from a SPARK_HOME whose jars/
 * are those a Spark installation provides, as on a cluster.
 */
@Tag("cluster")
class GpuCheckIT {
    private static final File ROOT = new File("").getAbsoluteFile();
    private static final String SMALL = "model.depth=8";
    @TempDir
    static Path tmp;
    private static String jar;
    private static Path sparkHome;

    @BeforeAll
    static void sparkHomeAndJar() throws Exception {
        File[] jars = new File(ROOT, "target").listFiles((d, n) -> n.endsWith("-cluster.jar"));
        assertTrue(jars != null && jars.length == 1, "expected one cluster jar in target/");
        jar = jars[0].getPath();
        sparkHome = tmp.resolve("spark");
        Path lib = Files.createDirectories(sparkHome.resolve("jars"));
        for (String entry : Files.readString(ROOT.toPath().resolve("target/spark-classpath.txt")).trim().split(":")) {
            Path p = Path.of(entry);
            Files.createSymbolicLink(lib.resolve(p.getFileName()), p);
        }
    }

    private record Result(int code, String out) {
    }

    private static Result check(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", new File(ROOT, "submit/gpu-check.sh").getPath()));
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile(tmp, "gpu-check", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("NETSLIM_GPU_CHECK_HEAP", "2g");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "gpu-check.sh still running");
        return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void theCpuJarOnBothSidesPassesAndADifferentRunFails() throws Exception {
        Path same = tmp.resolve("same");
        Result pass = check(Map.of("NETSLIM_GPU_CHECK_DIR", same.toString()), "--set", SMALL, "--set",
                "model.input-shape=1x16x16", jar, jar);
        assertEquals(0, pass.code(), pass.out());
        assertTrue(pass.out().contains("PASS: largest gamma difference"), pass.out());
        assertTrue(pass.out().contains("no GPU took part"), pass.out());
        JsonNode gpu = new ObjectMapper().readTree(same.resolve("gpu/result.json").toFile());
        JsonNode cpu = new ObjectMapper().readTree(same.resolve("cpu/result.json").toFile());
        // the first side ran the GPU's path (portable kernels), the second the CPU kernels: a real comparison
        assertEquals("portable", gpu.get("kernels").asText());
        assertEquals("cpu", cpu.get("kernels").asText());
        assertEquals("CPU", gpu.get("backend").asText());
        assertEquals(cpu.get("start_sha256"), gpu.get("start_sha256"));
        assertTrue(gpu.get("gamma_moved").asDouble() > 0.01, "gammas moved " + gpu.get("gamma_moved"));

        // the two kernels really differ (float rounding): a tolerance below that difference fails, naming it
        Result fail = check(Map.of(), "--steps", "3", "--tolerance", "1e-9", "--set", SMALL, "--set",
                "model.input-shape=1x16x16", jar, jar);
        assertEquals(6, fail.code(), fail.out());
        assertTrue(fail.out().contains("FAIL: largest gamma difference") && fail.out().contains("after 3 steps")
                && fail.out().contains("tolerance 1.00e-09") && fail.out().contains("channel"), fail.out());
        // another penalty on one side is another check, not a kernel difference: refused
        Result incomparable = check(Map.of(), "--steps", "2", "--set", SMALL, "--set", "model.input-shape=1x16x16",
                "--cpu-set", "sparsity.lambda=0.05", jar, jar);
        assertEquals(6, incomparable.code(), incomparable.out());
        assertTrue(incomparable.out().contains("not the same check: sparsity_lambda"), incomparable.out());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingRuns() throws Exception {
        Result none = check(Map.of());
        assertEquals(2, none.code());
        assertTrue(none.out().contains("expected two jars"), none.out());
        Result missing = check(Map.of(), "/no/such.jar", jar);
        assertEquals(2, missing.code());
        assertTrue(missing.out().contains("no such jar: /no/such.jar"), missing.out());
        Result steps = check(Map.of(), "--steps", "zero", jar, jar);
        assertEquals(2, steps.code());
        assertTrue(steps.out().contains("--steps zero"), steps.out());
        Result tolerance = check(Map.of(), "--tolerance", "-1", jar, jar);
        assertEquals(2, tolerance.code());
        assertTrue(tolerance.out().contains("--tolerance -1"), tolerance.out());
        Result unknown = check(Map.of(), "--gpus", "2", jar, jar);
        assertEquals(2, unknown.code());
        assertTrue(unknown.out().contains("unknown option --gpus"), unknown.out());
        Result noSpark = check(Map.of("SPARK_HOME", tmp.resolve("nothing").toString()), jar, jar);
        assertEquals(2, noSpark.code());
        assertTrue(noSpark.out().contains("SPARK_HOME"), noSpark.out());
        Result help = check(Map.of(), "--help");
        assertEquals(2, help.code());
        assertTrue(help.out().contains("--cpu-set"), help.out());
    }
}
