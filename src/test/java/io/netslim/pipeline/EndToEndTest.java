package io.netslim.pipeline;

import io.netslim.testing.PngCheck;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageRecords;
import io.netslim.data.ImageSource;
import io.netslim.data.Normalization;
import io.netslim.export.OnnxCheck;
import io.netslim.export.OnnxRuntimeModel;
import io.netslim.metrics.Accuracy;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole job in Spark local[2] on Fashion-MNIST, writing every artifact to a real (in-process) HDFS. */
@Tag("e2e")
class EndToEndTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withHdfs();

    private static MiniDFSCluster hdfs;

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = cluster.hdfs();
    }

    @Test
    void pipelineWritesEveryArtifactToHdfsAndTheModelsHoldUp() throws Exception {
        String output = hdfs.getURI() + "/runs/e2e";
        List<String> sets = List.of("data.path=" + TestNets.fashionMnist(), "data.limit-train=4000",
                "data.limit-test=1000", "data.normalize=auto", "model.depth=8", "train.epochs=2", "finetune.epochs=2",
                "spark.master=\"local[2]\"", "spark.conf.spark.ui.enabled=false", "output=\"" + output + "\"");
        String[] args = sets.stream().flatMap(s -> java.util.stream.Stream.of("--set", s))
                .toList().toArray(new String[0]);
        String[] full = new String[args.length + 1];
        full[0] = "pipeline";
        System.arraycopy(args, 0, full, 1, args.length);
        assertEquals(0, Main.run(full));

        FileSystem fs = hdfs.getFileSystem();
        for (String name : List.of(SlimmingPipeline.SPARSE, SlimmingPipeline.PRUNED, SlimmingPipeline.FINETUNED,
                SlimmingPipeline.GAMMAS, SlimmingPipeline.REPORT, Normalizations.FILE)) {
            Path p = new Path(output, name);
            assertTrue(fs.exists(p) && fs.getFileStatus(p).getLen() > 0, "missing " + p);
        }
        assertTrue(!fs.exists(new Path(output, "_tmp")), "temporary files left behind");
        assertTrue(fs.exists(new Path(output, "_SUCCESS")) && fs.exists(new Path(output, "manifest.json")));
        assertEquals(0, Main.run("verify", output));
        JsonNode manifest = new ObjectMapper().readTree(read(fs, new Path(output, "manifest.json")));
        assertEquals("pruned.zip", manifest.at("/lineage/finetuned.zip").asText());
        assertEquals("sparse.zip", manifest.at("/lineage/pruned.zip").asText());

        JsonNode report = new ObjectMapper().readTree(read(fs, new Path(output, SlimmingPipeline.REPORT)));
        double reported = report.at("/stages/finetuned/test_accuracy").asDouble();
        assertTrue(reported > 0.45, "fine-tuned accuracy " + reported + " should be far above chance (0.1)");
        for (String stage : List.of("sparse", "pruned", "finetuned")) {
            double acc = report.at("/stages/" + stage + "/test_accuracy").asDouble(-1);
            assertTrue(acc >= 0 && acc <= 1, stage + " accuracy " + acc);
            assertTrue(report.at("/stages/" + stage + "/seconds").asDouble(-1) >= 0);
        }
        assertTrue(report.at("/params/after").asLong() < report.at("/params/before").asLong());
        assertTrue(report.at("/flops/after").asLong() < report.at("/flops/before").asLong());
        assertEquals(0.4, report.at("/prune/ratio").asDouble(), 1e-12);
        assertEquals(1, report.at("/prune/channel_multiple/value").asInt(-1), report.get("prune").toString());
        assertEquals("1", report.at("/prune/channel_multiple/configured").asText());
        assertEquals(4000, report.at("/config/data/limit-train").asInt());
        JsonNode layers = report.get("layers");
        assertTrue(layers.size() > 0);
        boolean anyPruned = false;
        for (JsonNode l : layers) {
            anyPruned |= l.get("channels_after").asInt() < l.get("channels_before").asInt();
            assertTrue(l.get("channels_after").asInt() >= 2, "min-channels violated in " + l);
        }
        assertTrue(anyPruned);
        String gammas = read(fs, new Path(output, SlimmingPipeline.GAMMAS));
        assertTrue(gammas.startsWith("layer,channel,gamma\n") && gammas.contains("s1_b0_bn2,0,"));

        // Plain DL4J reloads the fine-tuned model from HDFS and reproduces the reported accuracy.
        ComputationGraph tuned;
        try (InputStream in = fs.open(new Path(output, SlimmingPipeline.FINETUNED))) {
            tuned = ModelSerializer.restoreComputationGraph(in, false);
        }
        assertTrue(!tuned.getConfiguration().toJson().contains("io.netslim"), "model needs netslim classes");
        JobConfig cfg = TestNets.config("data.path=" + TestNets.fashionMnist(), "data.limit-train=4000",
                "data.limit-test=1000", "data.normalize=auto");
        ImageSource data = ImageSource.open(cfg.data(), 10, new Configuration());
        // The mean and std computed on the executors are those of the 4000 training images.
        Normalization norm = Normalizations.forModel(cfg, output + "/" + SlimmingPipeline.FINETUNED, fs.getConf());
        ImageRecords train = data.loadTrain();
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < train.size(); i++) {
            for (int k = 0; k < train.recordSize(); k++) {
                double x = train.pixel(i, k) / 255.0;
                sum += x;
                squares += x * x;
            }
        }
        double n = (double) train.size() * train.recordSize();
        assertEquals(sum / n, norm.mean()[0], 1e-5);
        assertEquals(Math.sqrt(squares / n - (sum / n) * (sum / n)), norm.std()[0], 1e-5);
        assertEquals(norm.mean()[0], report.at("/data/normalization/mean/0").asDouble(), 1e-6);
        data.normalizeWith(norm);
        double measured = Accuracy.of(tuned, data.testBatches(256));
        assertEquals(reported, measured, 1.5e-3);
        assertEquals(report.at("/params/after").asLong(),
                io.netslim.metrics.ModelStats.of(tuned, data.inputShape()).params());

        // finetuned.onnx takes what evaluate takes (pixels / 255, the normalisation is in the graph): ONNX Runtime
        // gives DL4J's outputs on the test images, so the same accuracy.
        assertEquals("finetuned.zip", manifest.at("/lineage/finetuned.onnx").asText());
        assertTrue(manifest.get("files").toString().contains("\"finetuned.onnx\""), "finetuned.onnx not in the manifest");
        ImageSource pixels = ImageSource.open(cfg.data(), 10, new Configuration());
        int correct = 0;
        double maxDiff = 0;
        try (OnnxRuntimeModel onnx = new OnnxRuntimeModel(readBytes(fs, new Path(output, "finetuned.onnx")))) {
            for (org.nd4j.linalg.dataset.api.iterator.DataSetIterator it = pixels.testBatches(256); it.hasNext(); ) {
                org.nd4j.linalg.dataset.DataSet batch = it.next();
                org.nd4j.linalg.api.ndarray.INDArray out = onnx.output(batch.getFeatures());
                org.nd4j.linalg.api.ndarray.INDArray dl4j = tuned.outputSingle(false, OnnxCheck.normalized(batch.getFeatures(), norm));
                maxDiff = Math.max(maxDiff, out.sub(dl4j).amaxNumber().doubleValue());
                correct += out.argMax(1).eq(batch.getLabels().argMax(1)).castTo(org.nd4j.linalg.api.buffer.DataType.INT)
                        .sumNumber().intValue();
            }
        }
        assertTrue(maxDiff <= 1e-4, "ONNX Runtime against DL4J: max abs difference " + maxDiff);
        assertEquals(reported, correct / 1000.0, 1.5e-3);
        assertTrue(report.at("/stages/finetuned/onnx/max_abs_difference").asDouble(1) <= 1e-4);
        assertTrue(report.at("/onnx_bytes/after").asLong() < report.at("/onnx_bytes/before").asLong());
        assertTrue(report.at("/latency/onnxruntime/before").asDouble() > 0
                && report.at("/latency/onnxruntime/after").asDouble() > 0, report.get("latency").toString());

        // Plots and the self-contained HTML report, then a ratio sweep added to the finished run.
        for (String plot : List.of("plots/gamma-hist.png", "plots/channels-per-layer.png", "plots/training.png")) {
            PngCheck.assertMeaningfulPng(readBytes(fs, new Path(output, plot)), plot);
        }
        String html = read(fs, new Path(output, "report.html"));
        assertTrue(html.contains("data:image/png;base64,"), "report.html embeds its images");
        assertTrue(html.contains("<td>DL4J</td>") && html.contains("<td>ONNX Runtime</td>"), "latency of both engines");
        assertTrue(!html.matches("(?s).*<img[^>]+src=\"(?!data:)[^\"]*\".*"), "report.html links an external image");
        String metrics = read(fs, new Path(output, "metrics.jsonl"));
        assertEquals(4, metrics.lines().count(), metrics); // 2 sparsity epochs + 2 fine-tune epochs
        assertEquals(0, Main.run("sweep", "--run", output, "--ratios", "0.2,0.6"));
        JsonNode sweep = new ObjectMapper().readTree(read(fs, new Path(output, "sweep.json")));
        JsonNode points = sweep.get("series").elements().next();
        assertEquals(2, points.size());
        assertTrue(points.get(1).get("params").asLong() < points.get(0).get("params").asLong());
        PngCheck.assertMeaningfulPng(readBytes(fs, new Path(output, "plots/ratio-sweep.png")), "ratio-sweep");
        assertEquals(0, Main.run("verify", output));

        // The reading commands on the finished run: evaluate and inspect agree with the report; verify of a
        // mistyped folder fails and creates nothing.
        String evaluated = stdout("evaluate", "--model", output + "/" + SlimmingPipeline.FINETUNED, "--json",
                "--set", "data.path=" + TestNets.fashionMnist(), "--set", "data.limit-test=1000",
                "--set", "data.normalize=auto");
        assertEquals(reported, new ObjectMapper().readTree(evaluated).get("test_accuracy").asDouble(), 1.5e-3);
        String inspected = stdout("inspect", "--model", output + "/" + SlimmingPipeline.FINETUNED, "--json",
                "--set", "data.path=" + TestNets.fashionMnist());
        assertEquals(report.at("/params/after").asLong(), new ObjectMapper().readTree(inspected).get("params").asLong());
        Path typo = new Path(output + "-typo");
        assertEquals(io.netslim.cli.ExitCodes.OUTPUT, Main.run("verify", typo.toString()));
        assertTrue(!fs.exists(typo), "verify created the folder it was asked to read");

        // A run of an older version (its run.json without a key added since) is still swept, with a baseline.
        Path old = new Path(output + "-old");
        org.apache.hadoop.fs.FileUtil.copy(fs, new Path(output), fs, old, false, fs.getConf());
        com.fasterxml.jackson.databind.node.ObjectNode run = (com.fasterxml.jackson.databind.node.ObjectNode)
                new ObjectMapper().readTree(read(fs, new Path(old, "run.json")));
        ((com.fasterxml.jackson.databind.node.ObjectNode) run.at("/config/prune")).remove("importance");
        try (java.io.OutputStream out = fs.create(new Path(old, "run.json"), true)) {
            out.write(new ObjectMapper().writeValueAsBytes(run));
        }
        assertEquals(0, Main.run("sweep", "--run", old.toString(), "--ratios", "0.5",
                "--baseline", output + "/" + SlimmingPipeline.SPARSE));
        JsonNode swept = new ObjectMapper().readTree(read(fs, new Path(old, "sweep.json"))).get("series");
        assertEquals(2, swept.size(), "sparse and baseline series: " + swept);

        // A local copy for the notebooks, which CI executes against it (.ci/run).
        java.io.File local = new java.io.File("target/test-run");
        org.apache.commons.io.FileUtils.deleteDirectory(local);
        fs.copyToLocalFile(false, new Path(output), new Path(local.getAbsolutePath()), true);
    }

    /** What netslim prints on stdout for {@code args} (exit code 0). */
    private static String stdout(String... args) {
        java.io.PrintStream saved = System.out;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        return out.lines().reduce((a, b) -> b).orElse("");
    }

    private static byte[] readBytes(FileSystem fs, Path p) throws Exception {
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    private static String read(FileSystem fs, Path p) throws Exception {
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
