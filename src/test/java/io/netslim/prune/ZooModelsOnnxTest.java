package io.netslim.prune;

import io.netslim.data.Normalization;
import io.netslim.export.OnnxExporter;
import io.netslim.export.OnnxRuntimeModel;
import io.netslim.export.UnsupportedModelException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models we did not write, served: DL4J zoo models with BatchNorms exported to ONNX, unpruned and with random
 * channels pruned, run in ONNX Runtime against DL4J on random inputs; those that cannot be exported exactly are
 * refused naming the vertex.
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
        ComputationGraph original = ZooModelsTest.zoo(name, shape);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, channels, size, size);
        double unpruned = maxDifference(original, shape, x, name + " unpruned");

        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
        Map<String, int[]> keep = ZeroedChannels.zeroRandom(original, deps, new Random(size), 4);
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, List.of()));
        assertTrue(pruned.numParams() < original.numParams(), name);
        double after = maxDifference(pruned, shape, x, name + " pruned");
        System.out.printf("%s: ONNX Runtime vs DL4J max abs difference unpruned %.3g, pruned %.3g%n", name, unpruned,
                after);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"Xception,71,block1_conv1_bn", "InceptionResNetV1,160,stem-batch1"})
    void batchNormsWithTheirOwnActivationAreRefusedByName(String name, long size, String vertex) {
        ComputationGraph g = ZooModelsTest.zoo(name, new long[] {3, size, size});
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> OnnxExporter.export(g, new long[] {3, size, size}, Normalization.NONE));
        assertTrue(e.getMessage().contains("'" + vertex + "'") && e.getMessage().contains("oneDNN"), e.getMessage());
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
        assertTrue(diff <= TOLERANCE, what + ": max abs difference " + diff + " > " + TOLERANCE);
        return diff;
    }
}
