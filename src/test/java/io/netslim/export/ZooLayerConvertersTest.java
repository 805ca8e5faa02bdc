package io.netslim.export;

import io.netslim.testing.TestNets;
import io.netslim.data.Normalization;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The converters for the layers DL4J's zoo models use beyond netslim's own families, each on a tiny graph with odd
 * channel counts and sizes, run in ONNX Runtime against DL4J.
 */
class ZooLayerConvertersTest {
    private static final double TOLERANCE = 1e-4;

    /** Input [5, 9, 11]: odd channels, height and width differ. */
    private static final long[] SHAPE = {5, 9, 11};

    @ParameterizedTest(name = "depth multiplier {0}, kernel {1}, stride {2}, {3}, padding {4}")
    @CsvSource({"1,3,1,Same,0", "2,3,2,Same,0", "3,3,2,Truncate,1", "2,5,1,Truncate,2", "1,2,2,Same,0"})
    void separableConvolution(int multiplier, int kernel, int stride, ConvolutionMode mode, int padding) {
        assertMatches(chain(new SeparableConvolution2D.Builder(kernel, kernel).stride(stride, stride)
                        .padding(padding, padding).convolutionMode(mode).depthMultiplier(multiplier).nOut(7)
                        .activation(Activation.IDENTITY).build(),
                new BatchNormalization.Builder().activation(Activation.IDENTITY).build(),
                new SeparableConvolution2D.Builder(3, 3).depthMultiplier(multiplier).nOut(3).hasBias(false)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build()), 0);
    }

    @ParameterizedTest(name = "top {0} bottom {1} left {2} right {3}")
    @CsvSource({"1,1,1,1", "0,2,3,1", "3,0,0,2"})
    void zeroPadding(int top, int bottom, int left, int right) {
        assertMatches(chain(conv(3), new ZeroPaddingLayer.Builder(top, bottom, left, right).build(), conv(3)), 0);
    }

    @ParameterizedTest(name = "block {0}")
    @CsvSource({"2", "3"})
    void spaceToDepthKeepsDl4jsChannelOrder(int block) {
        // 9x11 does not divide by 2: the conv before crops it to 6x6 (or 6x9 by 3) so both sides take whole blocks
        Layer crop = new ConvolutionLayer.Builder(4, block == 2 ? 6 : 3).nOut(5).activation(Activation.IDENTITY).build();
        assertMatches(chain(crop, new SpaceToDepthLayer.Builder(block, org.deeplearning4j.nn.conf.CNN2DFormat.NCHW)
                .build()), 0);
    }

    @ParameterizedTest(name = "n {0}, k {1}, alpha {2}, beta {3}")
    @CsvSource({"5,2,1e-4,0.75", "3,1,0.3,0.5", "7,0.5,0.05,1.2"})
    void localResponseNormalization(double n, double k, double alpha, double beta) {
        assertMatches(chain(conv(9), new LocalResponseNormalization.Builder().n(n).k(k).alpha(alpha).beta(beta)
                .build()), 0);
    }

    @Test
    void localResponseNormalizationOverAnEvenWindowIsRefused() {
        ComputationGraph g = chain(conv(4), new LocalResponseNormalization.Builder().n(4).build());
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxExporter.export(g, SHAPE, Normalization.NONE));
        assertTrue(e.getMessage().contains("'l1'") && e.getMessage().contains("n = 4.0"), e.getMessage());
    }

    @ParameterizedTest(name = "p {0}, kernel {1}, stride {2}, {3}")
    @CsvSource({"2,3,2,Truncate", "3,2,1,Same", "2,3,1,Same"})
    void pNormPooling(int p, int kernel, int stride, ConvolutionMode mode) {
        assertMatches(chain(conv(3), new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(p).kernelSize(kernel, kernel)
                .stride(stride, stride).convolutionMode(mode).build()), 0);
    }

    /** ResNet50's last pooling at 96x96: a 3x3 max pooling over 2x2, one output pixel in DL4J. */
    @Test
    void maxPoolingWindowLargerThanItsInputAsDl4jComputesIt() {
        Layer shrink = new ConvolutionLayer.Builder(8, 10).nOut(3).activation(Activation.IDENTITY).build(); // to 2x2
        assertMatches(chain(shrink, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).build()),
                0);
        ComputationGraph avg = chain(shrink, new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(2, 2)
                .build());
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxExporter.export(avg, SHAPE, Normalization.NONE));
        assertTrue(e.getMessage().contains("'l1'") && e.getMessage().contains("3-pixel window over a 2-pixel input"),
                e.getMessage());
    }

    @Test
    void scaleAndL2NormalizeVertices() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(7).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(SHAPE[1], SHAPE[2], SHAPE[0]))
                .addLayer("conv", conv(3), "input")
                .addVertex("scaled", new ScaleVertex(0.17), "conv")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "scaled")
                .addLayer("dense", new DenseLayer.Builder().nOut(13).activation(Activation.IDENTITY).build(), "gap")
                .addVertex("l2", new L2NormalizeVertex(), "dense")
                .addLayer("loss", new LossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).build(), "l2")
                .setOutputs("loss").build());
        g.init();
        assertMatches(g, 0);
        // and the normalisation alone, before the loss layer's softmax flattens its effect
        ComputationGraph normalised = new ComputationGraph(withOutput(g, "l2"));
        normalised.init(g.params().dup(), false);
        assertMatches(normalised, 0);
    }

    @Test
    void centerLossOutputLayerIsItsDenseSoftmax() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(SHAPE[1], SHAPE[2], SHAPE[0]))
                .addLayer("conv", conv(3), "input")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "conv")
                .addLayer("center", new CenterLossOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(11)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("center").build());
        g.init();
        assertMatches(g, 0);
    }

    @ParameterizedTest(name = "{0} anchors, {1} classes")
    @CsvSource({"3,4", "1,1", "5,2"})
    void yolo2OutputAsDl4jActivatesIt(int anchors, int classes) {
        INDArray priors = Nd4j.rand(DataType.DOUBLE, anchors, 2).muli(3).addi(0.2);
        ComputationGraph g = chain(new ConvolutionLayer.Builder(3, 3).nOut(anchors * (5 + classes))
                        .activation(Activation.IDENTITY).build(),
                new Yolo2OutputLayer.Builder().boundingBoxPriors(priors).build());
        assertMatches(g, 0);
    }

    @Test
    void aVertexNamedLikeTheGraphsOutputOrNormalisation() {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(5).graphBuilder()
                .addInputs("input").setInputTypes(InputType.convolutional(SHAPE[1], SHAPE[2], SHAPE[0]))
                .addLayer("normalization", conv(3), "input")
                .addLayer("gap", new GlobalPoolingLayer.Builder().build(), "normalization")
                .addLayer("output", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(4)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("output").build());
        g.init();
        Normalization n = new Normalization(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f},
                new float[] {0.3f, 0.4f, 0.5f, 0.6f, 0.7f});
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, SHAPE[0], SHAPE[1], SHAPE[2]);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(OnnxExporter.bytes(g, SHAPE, n))) {
            assertClose(g.outputSingle(false, OnnxCheck.normalized(x, n)), ort.output(x), "renamed vertices");
        }
    }

    /** input -> layers in a chain (named l0, l1, ...), the last one the output; random batch-norm statistics. */
    private static ComputationGraph chain(Layer... layers) {
        var b = new NeuralNetConfiguration.Builder().seed(42).graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(SHAPE[1], SHAPE[2], SHAPE[0]));
        String previous = "input";
        for (int i = 0; i < layers.length; i++) {
            b.addLayer("l" + i, layers[i], previous);
            previous = "l" + i;
        }
        ComputationGraph g = new ComputationGraph(b.setOutputs(previous).build());
        g.init();
        TestNets.randomiseBatchNorms(g, 9);
        return g;
    }

    private static ConvolutionLayer conv(int out) {
        return new ConvolutionLayer.Builder(3, 3).nOut(out).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY).build();
    }

    private static org.deeplearning4j.nn.conf.ComputationGraphConfiguration withOutput(ComputationGraph g, String out) {
        var conf = g.getConfiguration().clone();
        conf.getVertices().remove("loss");
        conf.getVertexInputs().remove("loss");
        conf.setNetworkOutputs(java.util.List.of(out));
        return conf;
    }

    /** ONNX Runtime's output equals DL4J's on a random batch of 3 (within 1e-4 of the largest output, at least 1). */
    private static void assertMatches(ComputationGraph g, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, SHAPE[0], SHAPE[1], SHAPE[2]).subi(0.5).muli(4);
        Onnx.ModelProto proto = OnnxExporter.export(g, SHAPE, Normalization.NONE);
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(proto.toByteArray())) {
            assertClose(g.outputSingle(false, x), ort.output(x), g.getConfiguration().getVertices().keySet().toString());
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what);
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = expected.castTo(DataType.FLOAT).sub(actual).amaxNumber().doubleValue();
        assertTrue(diff <= TOLERANCE * scale, what + ": max abs difference " + diff + " > " + TOLERANCE * scale);
    }
}
