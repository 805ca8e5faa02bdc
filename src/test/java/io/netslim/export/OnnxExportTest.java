package io.netslim.export;

import io.netslim.Main;
import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.data.Augmentation;
import io.netslim.data.ImageRecords;
import io.netslim.data.ImageSource;
import io.netslim.data.Normalization;
import io.netslim.model.ChannelSelectVertex;
import io.netslim.prune.BnScaleImportance;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.GlobalThreshold;
import io.netslim.prune.NetworkSurgeon;
import io.netslim.prune.PrunePlan;
import onnx.Onnx;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every model family, pruned and unpruned, exported to ONNX and run in ONNX Runtime against DL4J. */
class OnnxExportTest {
    private static final long[] SHAPE = {1, 28, 28};
    private static final double TOLERANCE = 1e-4;
    /** The first 64 Fashion-MNIST test images, pixels / 255. */
    private static INDArray fashion;

    @TempDir
    Path dir;

    @BeforeAll
    static void loadImages() {
        JobConfig cfg = TestNets.config("data.path=" + TestNets.fashionMnist());
        ImageRecords r = ImageSource.open(cfg.data(), 10, new Configuration()).testSample(64, 0);
        fashion = r.batch(r.order(null), 0, r.size(), Augmentation.NONE, Normalization.NONE, null).getFeatures();
    }

    /**
     * A family's network with random batch-norm statistics, pruned as {@code pruning} says: none, inside (block
     * channels only), selection (also through channel selections) or trunk (post-activation ResNet: also its coupled
     * trunk groups, at a ratio high enough that they lose channels too, since their summed |gamma| score higher).
     */
    static ComputationGraph model(String arch, int depth, String pruning) {
        ComputationGraph g = TestNets.model(arch, depth, SHAPE, 3);
        TestNets.randomiseBatchNorms(g, 5);
        if (pruning.equals("none")) {
            return g;
        }
        boolean wide = pruning.equals("selection") || pruning.equals("trunk");
        JobConfig cfg = TestNets.config("prune.channel-selection=" + wide);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), wide);
        double ratio = pruning.equals("trunk") ? 0.8 : 0.5;
        PrunePlan plan = GlobalThreshold.of(cfg.prune(), ratio).plan(g, deps, new BnScaleImportance());
        ComputationGraph pruned = NetworkSurgeon.prune(g, deps, plan);
        assertTrue(pruned.numParams() < g.numParams(), arch + " " + pruning + ": nothing pruned");
        return pruned;
    }

    @ParameterizedTest(name = "{0}-{1} pruned: {2}")
    @CsvSource({"preresnet-basic,8,none", "preresnet-basic,8,inside", "preresnet-basic,8,selection",
            "preresnet-bottleneck,11,none", "preresnet-bottleneck,11,inside", "preresnet-bottleneck,11,selection",
            "vgg,11,none", "vgg,11,inside", "densenet,10,none", "densenet,10,selection", "resnet,18,none",
            "resnet,18,inside", "resnet,18,trunk", "vgg-bn,11,none", "vgg-bn,11,inside"})
    void onnxRuntimeMatchesDl4jOnRandomAndRealImages(String arch, int depth, String pruning) {
        ComputationGraph graph = model(arch, depth, pruning);
        if (pruning.equals("trunk")) {
            // the stem conv and the three projections produce the four stage trunks: narrower than 64+128+256+512
            var stats = io.netslim.metrics.ModelStats.of(graph, SHAPE);
            long trunks = java.util.stream.Stream.of("conv1", "layer2_0_down", "layer3_0_down", "layer4_0_down")
                    .mapToLong(l -> stats.layer(l).channelsOut()).sum();
            assertTrue(trunks < 960, "resnet trunk channels after pruning: " + trunks);
        }
        Onnx.ModelProto proto = OnnxExporter.export(graph, SHAPE, Normalization.NONE);
        assertEquals(OnnxExporter.OPSET, proto.getOpsetImport(0).getVersion());
        assertEquals("batch", proto.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam());
        INDArray random = Nd4j.rand(DataType.FLOAT, 3, SHAPE[0], SHAPE[1], SHAPE[2]);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(proto.toByteArray())) {
            // one session, batches of 3, 64 and 1: the batch dimension is dynamic
            assertClose(graph.outputSingle(false, random), ort.output(random), TOLERANCE, arch + " random");
            assertClose(graph.outputSingle(false, fashion), ort.output(fashion), TOLERANCE, arch + " Fashion-MNIST");
            INDArray one = fashion.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(7, 8)).dup();
            assertClose(graph.outputSingle(false, one), ort.output(one), TOLERANCE, arch + " batch 1");
        }
        // Probabilities can saturate; the logits (the same network with an identity output) must match too.
        ComputationGraph logits = withLinearOutput(graph);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(OnnxExporter.bytes(logits, SHAPE, Normalization.NONE))) {
            INDArray expected = logits.outputSingle(false, fashion);
            double scale = Math.max(1, expected.amaxNumber().doubleValue());
            assertClose(expected, ort.output(fashion), TOLERANCE * scale, arch + " logits");
        }

        long dl4jBatchNorms = graph.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex l && l.getLayerConf().getLayer() instanceof BatchNormalization).count();
        long onnxBatchNorms = count(proto, "BatchNormalization");
        if (!arch.startsWith("preresnet") && !arch.equals("densenet")) {
            assertEquals(0, onnxBatchNorms, arch + ": every BN follows a conv of its own and folds");
        } else if (arch.equals("densenet")) {
            assertEquals(dl4jBatchNorms, onnxBatchNorms, "every DenseNet BN reads a concatenation or a shared conv");
        } else {
            // pre-activation: the BNs reading a trunk or a selection stay; those right after a block's conv fold
            assertTrue(onnxBatchNorms > 0 && onnxBatchNorms < dl4jBatchNorms, onnxBatchNorms + " of " + dl4jBatchNorms);
        }
        long selections = graph.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof ChannelSelectVertex).count();
        assertEquals(selections, count(proto, "Gather"));
        assertEquals(pruning.equals("selection"), selections > 0);
    }

    @Test
    void runNormalisationIsPartOfTheGraph() {
        ComputationGraph graph = model("preresnet-basic", 8, "selection");
        Normalization n = new Normalization(new float[] {0.286f}, new float[] {0.353f});
        byte[] onnx = OnnxExporter.bytes(graph, SHAPE, n);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(onnx)) {
            INDArray expected = graph.outputSingle(false, OnnxCheck.normalized(fashion, n));
            assertClose(expected, ort.output(fashion), TOLERANCE, "pixels / 255 in, normalised inside");
            // and the normalisation is not a no-op: raw pixels through DL4J give other outputs
            assertTrue(graph.outputSingle(false, fashion).sub(expected).amaxNumber().doubleValue() > 1e-3);
        }
    }

    /**
     * Batch norms whose epsilon matters (large eps, small running variance, stored as DL4J's log10 std or as a
     * variance), folded after a convolution and kept after a ReLU: DL4J divides by sqrt(var + eps) either way.
     */
    @ParameterizedTest(name = "useLogStd {0}")
    @CsvSource({"true", "false"})
    void batchNormEpsilonAndVarianceAsDl4jUsesThem(boolean logStd) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(28, 28, 1))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(6).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "input")
                .addLayer("bn_folded", new BatchNormalization.Builder().eps(1e-2).useLogStd(logStd)
                        .activation(Activation.IDENTITY).build(), "conv")
                .addLayer("relu", new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder()
                        .activation(Activation.RELU).build(), "bn_folded")
                .addLayer("bn_kept", new BatchNormalization.Builder().eps(1e-2).useLogStd(logStd)
                        .activation(Activation.IDENTITY).build(), "relu")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "bn_kept")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                        .nOut(10).build(), "gap")
                .setOutputs("fc").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        for (String bn : new String[] {"bn_folded", "bn_kept"}) {
            var layer = g.getLayer(bn);
            for (int c = 0; c < 6; c++) {
                double variance = 0.002 + 0.01 * c;
                layer.getParam("gamma").putScalar(c, 0.5 + 0.3 * c);
                layer.getParam("beta").putScalar(c, 0.1 * c - 0.2);
                layer.getParam("mean").putScalar(c, 0.05 * c);
                layer.getParam(logStd ? "log10stdev" : "var").putScalar(c, logStd ? Math.log10(Math.sqrt(variance)) : variance);
            }
        }
        Onnx.ModelProto proto = OnnxExporter.export(g, SHAPE, Normalization.NONE);
        assertEquals(1, count(proto, "BatchNormalization"), "one folded into the conv, one kept");
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(proto.toByteArray())) {
            INDArray expected = g.outputSingle(false, fashion);
            assertClose(expected, ort.output(fashion), TOLERANCE * Math.max(1, expected.amaxNumber().doubleValue()),
                    "logits");
        }
    }

    @Test
    void unknownLayerIsRefusedByName() {
        ComputationGraph g = withUpscaling();
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxExporter.export(g, SHAPE, Normalization.NONE));
        assertTrue(e.getMessage().contains("'upscale'") && e.getMessage().contains("Upsampling2D"), e.getMessage());
    }

    @Test
    void exportCommandWritesACheckedFileAndRefusesWhatItCannotConvert() throws Exception {
        File zip = dir.resolve("densenet.zip").toFile();
        ModelSerializer.writeModel(model("densenet", 10, "selection"), zip, false);
        File onnx = dir.resolve("out/densenet.onnx").toFile();
        String[] sets = {"--set", "model.input-shape=1x28x28"};
        assertEquals(0, Main.run("export", "--model", zip.getPath(), "--to", onnx.getPath(), sets[0], sets[1]));
        assertTrue(onnx.length() > 0);
        assertEquals(5, Main.run("export", "--model", zip.getPath(), "--to", onnx.getPath(), sets[0], sets[1]),
                "an existing file needs --overwrite");
        assertEquals(0, Main.run("export", "--model", zip.getPath(), "--to", onnx.getPath(), "--overwrite",
                sets[0], sets[1]));

        ComputationGraph unknown = withUpscaling();
        File bad = dir.resolve("bad.zip").toFile();
        ModelSerializer.writeModel(unknown, bad, false);
        File badOnnx = dir.resolve("bad.onnx").toFile();
        assertEquals(2, Main.run("export", "--model", bad.getPath(), "--to", badOnnx.getPath(), sets[0], sets[1]));
        assertFalse(badOnnx.exists(), "nothing written for a model that cannot be exported");
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains("inprogress")));
        }
    }

    @Test
    void pipelineRefusesBeforeTrainingAModelItCouldNotExport() throws Exception {
        ComputationGraph g = withUpscaling();
        File zip = dir.resolve("start.zip").toFile();
        ModelSerializer.writeModel(g, zip, false);
        Path output = dir.resolve("run");
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            assertEquals(2, Main.run("pipeline", "--set", "data.path=" + TestNets.fashionMnist(), "--set",
                    "model.init=\"" + zip.toURI() + "\"", "--set", "output=\"" + output + "\""));
        } finally {
            System.setErr(old);
        }
        String message = err.toString();
        assertTrue(message.contains("export.onnx = true") && message.contains("'upscale'"), message);
        assertFalse(Files.exists(output.resolve("run.json")), "nothing of a run was started");
    }

    /** Debian's python3-onnx checker (with shape inference), only where it is installed: netslim does not need it. */
    @Test
    void pythonOnnxCheckerAcceptsTheExportWhereInstalled() throws Exception {
        assumeTrue(new File("/usr/bin/python3").canExecute() && exitCode("/usr/bin/python3", "-c", "import onnx") == 0,
                "python3-onnx not installed: checked with ONNX Runtime only");
        for (String arch : new String[] {"preresnet-bottleneck,11", "densenet,10", "vgg,11"}) {
            String[] a = arch.split(",");
            File onnx = dir.resolve(a[0] + ".onnx").toFile();
            Files.write(onnx.toPath(), OnnxExporter.bytes(model(a[0], Integer.parseInt(a[1]),
                    a[0].equals("vgg") ? "inside" : "selection"), SHAPE, new Normalization(new float[] {0.3f},
                    new float[] {0.4f})));
            assertEquals(0, exitCode("/usr/bin/python3", "-c", "import onnx, sys; "
                    + "onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", onnx.getPath()), arch);
        }
    }

    private static int exitCode(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return p.exitValue();
    }

    /** A prunable network (conv, BN, conv) with a layer the exporter has no converter for: 'upscale'. */
    private static ComputationGraph withUpscaling() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(28, 28, 1))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.IDENTITY).build(), "input")
                .addLayer("bn", new BatchNormalization.Builder().activation(Activation.IDENTITY).build(), "conv")
                .addLayer("conv2", new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.IDENTITY).build(), "bn")
                .addLayer("upscale", new Upsampling2D.Builder(2).build(), "conv2")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "upscale")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(10).build(), "gap")
                .setOutputs("fc").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static ComputationGraph withLinearOutput(ComputationGraph g) {
        ComputationGraphConfiguration conf = g.getConfiguration().clone();
        String out = conf.getNetworkOutputs().get(0);
        ((BaseLayer) ((LayerVertex) conf.getVertices().get(out)).getLayerConf().getLayer())
                .setActivationFn(new ActivationIdentity());
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(g.params().dup(), false);
        return copy;
    }

    private static long count(Onnx.ModelProto proto, String op) {
        return proto.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double diff = expected.castTo(DataType.FLOAT).sub(actual.castTo(DataType.FLOAT)).amaxNumber().doubleValue();
        assertTrue(diff <= tolerance, what + ": max abs difference " + diff + " > " + tolerance);
    }
}
