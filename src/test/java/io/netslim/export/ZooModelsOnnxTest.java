package io.netslim.export;

import io.netslim.prune.NetworkSurgeon;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.PrunePlan;
import io.netslim.testing.TestNets;
import io.netslim.testing.ZeroedChannels;
import io.netslim.data.Normalization;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models we did not write, served: DL4J zoo models with BatchNorms exported to ONNX, unpruned and with random
 * channels pruned, run in ONNX Runtime against DL4J on random inputs (those that cannot be exported exactly are
 * refused before training: ZooExportPreflightTest).
 */
class ZooModelsOnnxTest {
    private static final double TOLERANCE = 1e-4;

    @AfterEach
    void release() {
        System.gc();
    }

    @ParameterizedTest(name = "{0} {2}x{2}")
    @CsvSource({"ResNet50,3,96", "Darknet19,3,64", "TinyYOLO,3,64", "YOLO2,3,64", "FaceNetNN4Small2,3,96",
            "SimpleCNN,3,32"})
    void onnxRuntimeMatchesDl4jUnprunedAndPruned(String name, long channels, long size) {
        long[] shape = {channels, size, size};
        ComputationGraph original = TestNets.zoo(name, shape);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, channels, size, size);
        double unpruned = maxDifference(original, shape, x, name + " unpruned");

        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
        Map<String, int[]> keep = ZeroedChannels.zeroRandom(original, deps, new Random(size), 4);
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, List.of()));
        assertTrue(pruned.numParams() < original.numParams(), name);
        double after = maxDifference(pruned, shape, x, name + " pruned");
        // softmax outputs of a random deep network saturate (ResNet50's are 0 and 1): its logits must match too
        ComputationGraph logits = withLinearOutput(pruned);
        double logitDiff = logits == null ? Double.NaN : maxDifference(logits, shape, x, name + " pruned logits");
        System.out.printf("%s: ONNX Runtime vs DL4J max difference (/ max(1, largest output)) unpruned %.3g, pruned %.3g, "
                        + "pruned logits %.3g%n",
                name, unpruned, after, logitDiff);
    }

    /** The network with an identity in place of its output layer's activation; null when it has none (YOLO). */
    private static ComputationGraph withLinearOutput(ComputationGraph g) {
        var conf = g.getConfiguration().clone();
        var out = conf.getVertices().get(conf.getNetworkOutputs().get(0));
        if (!(out instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof BaseLayer layer)) {
            return null;
        }
        layer.setActivationFn(new ActivationIdentity());
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(g.params().dup(), false);
        return copy;
    }

    private static double maxDifference(ComputationGraph g, long[] shape, INDArray x, String what) {
        INDArray expected = g.outputSingle(false, x);
        INDArray actual;
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(OnnxExporter.bytes(g, shape, Normalization.NONE))) {
            actual = ort.output(x);
        }
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what);
        assertTrue(!expected.isNaN().any() && !expected.isInfinite().any(), what + ": DL4J's outputs are not finite");
        double diff = expected.castTo(DataType.FLOAT).sub(actual).amaxNumber().doubleValue();
        // probabilities: absolute; logits (ResNet50's reach 1e24 with random weights): relative to the largest
        double scaled = diff / Math.max(1, expected.amaxNumber().doubleValue());
        assertTrue(scaled <= TOLERANCE, what + ": max difference " + diff + ", relative " + scaled + " > " + TOLERANCE);
        return scaled;
    }
}
