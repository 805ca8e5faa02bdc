package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.testing.ChildJvm;
import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.train.TrainingKernels;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The path a GPU takes, run here on the CPU: the whole job through netslim's entry point, in its own JVM, with
 * {@code train.kernels = portable} (Spark local[2], artifacts on HDFS). No class of ours that reads or writes ND4J
 * buffers through host memory is even loaded, and the fine-tuned accuracy is within 2 points of the same job
 * with the CPU kernels (run the same way, which does load them: the check can see them).
 */
@Tag("e2e")
class PortableKernelsTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withHdfs();

    /** Bytecode of a class that touches ND4J buffers through host memory or javacpp pointers names one of these. */
    private static final List<String> HOST_MEMORY = List.of("asNio", "org/bytedeco/javacpp/", "org/bytedeco/dnnl/");
    /**
     * ... unless it first brings the buffer to the host through ND4J's AffinityManager (and marks a write), which
     * is right on any backend: parameter averaging's FlatState copies a GPU's state to the host once per round.
     */
    private static final String SYNCED = "ensureLocation";
    @TempDir
    static java.nio.file.Path tmp;
    private static MiniDFSCluster hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = cluster.hdfs();
    }

    @Test
    void portableKernelsLoadNoHostMemoryClassAndTrainAsWellAsCpuKernels() throws Exception {
        Set<String> hostMemory = hostMemoryClasses();
        assertTrue(hostMemory.contains("io.netslim.cpu.JavaBatchNormHelper")
                && hostMemory.contains("io.netslim.cpu.DnnlConvolution"), "scan found " + hostMemory);

        Run portable = pipeline("portable");
        Run cpu = pipeline("cpu");

        List<String> leaked = portable.result.loadedClasses().stream().filter(hostMemory::contains).toList();
        assertEquals(List.of(), leaked, "portable training loaded host-memory classes");
        List<String> kernelLayers = portable.result.loadedClasses().stream()
                .filter(c -> c.startsWith("io.netslim.cpu."))
                .toList();
        assertEquals(List.of(), kernelLayers, "portable training loaded CPU kernel layers");
        assertTrue(portable.result.loadedClasses().contains("io.netslim.sparsity.SparseBatchNormalization"));
        assertTrue(cpu.result.loadedClasses().containsAll(List.of("io.netslim.cpu.JavaBatchNormHelper",
                "io.netslim.cpu.DnnlConvolution")), "the CPU kernels' classes should show when they run");

        for (String stage : List.of("sparse", "finetuned")) {
            assertEquals("portable", portable.report.at("/stages/" + stage + "/kernels/resolved").asText());
            assertEquals("cpu", cpu.report.at("/stages/" + stage + "/kernels/resolved").asText());
            assertTrue(portable.report.at("/stages/" + stage + "/kernels/why").asText().contains("portable"));
        }
        assertTrue(portable.result.log().contains("sparsity training kernels: portable"), portable.result.log());
        double accPortable = portable.report.at("/stages/finetuned/test_accuracy").asDouble();
        double accCpu = cpu.report.at("/stages/finetuned/test_accuracy").asDouble();
        System.out.printf("fine-tuned accuracy: portable %.4f, cpu %.4f; sparsity training %.1f vs %.1f img/s%n",
                accPortable, accCpu, portable.report.at("/stages/sparse/train_images_per_s").asDouble(),
                cpu.report.at("/stages/sparse/train_images_per_s").asDouble());
        assertTrue(accCpu > 0.5, "cpu accuracy " + accCpu);
        assertTrue(Math.abs(accPortable - accCpu) <= 0.02, "portable " + accPortable + " vs cpu " + accCpu);
    }

    private record Run(ChildJvm.Result result, JsonNode report) {
    }

    private static Run pipeline(String kernels) throws Exception {
        String output = hdfs.getURI() + "/runs/" + kernels;
        List<String> sets = List.of("data.path=" + TestNets.fashionMnist(), "data.limit-train=1500",
                "data.limit-test=1000", "model.depth=8", "train.epochs=2", "train.batch-size=32", "finetune.epochs=2",
                "finetune.batch-size=32", "eval.monitor-images=0",
                "export.onnx=false", "train.kernels=" + kernels, "spark.master=\"local[2]\"",
                "spark.conf.spark.ui.enabled=false", "output=\"" + output + "\"");
        List<String> args = new ArrayList<>(List.of("pipeline"));
        sets.forEach(s -> args.addAll(List.of("--set", s)));
        java.nio.file.Path dir = Files.createDirectories(tmp.resolve(kernels));
        long t0 = System.nanoTime();
        ChildJvm.Result result = ChildJvm.main(dir, 8, args.toArray(new String[0]));
        System.out.printf("train.kernels=%s: the pipeline took %.1f s%n", kernels, (System.nanoTime() - t0) / 1e9);
        result.log().lines().filter(l -> l.contains("INFO")).forEach(System.out::println);
        assertEquals(0, result.exitCode(), result.log());
        FileSystem fs = hdfs.getFileSystem();
        try (InputStream in = fs.open(new Path(output, SlimmingPipeline.REPORT))) {
            return new Run(result, new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
        }
    }

    /** Every class of netslim's build whose bytecode names a host-memory API (see {@link #HOST_MEMORY}). */
    private static Set<String> hostMemoryClasses() throws IOException, URISyntaxException {
        java.nio.file.Path classes = new File(TrainingKernels.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toPath();
        Set<String> found = new TreeSet<>();
        try (Stream<java.nio.file.Path> files = Files.walk(classes)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                if (HOST_MEMORY.stream().anyMatch(bytes::contains) && !bytes.contains(SYNCED)) {
                    String rel = classes.relativize(f).toString();
                    found.add(rel.substring(0, rel.length() - ".class".length()).replace(File.separatorChar, '.'));
                }
            }
        }
        assertFalse(found.isEmpty());
        return found;
    }
}
