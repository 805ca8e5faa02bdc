package io.netslim.export;

import io.netslim.data.Normalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** An export checked against its source: ONNX Runtime's outputs against DL4J's on the same pixels. */
public final class OnnxCheck {
    /** Largest difference of class probabilities an export may show against DL4J. */
    public static final double TOLERANCE = 1e-4;

    private OnnxCheck() {
    }

    /**
     * The largest absolute difference between DL4J's and ONNX Runtime's outputs on {@code pixels} (values in [0, 1],
     * normalised for DL4J as the run's data are); refused above {@link #TOLERANCE}.
     */
    public static double maxDifference(ComputationGraph graph, byte[] onnx, INDArray pixels, Normalization n) {
        INDArray expected = graph.outputSingle(false, normalized(pixels, n));
        INDArray actual;
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(onnx)) {
            actual = ort.output(pixels);
        }
        double diff = expected.castTo(DataType.FLOAT).sub(actual).amaxNumber().doubleValue();
        if (!(diff <= TOLERANCE)) {
            throw new IllegalStateException("the ONNX export differs from the DL4J model by " + diff
                    + " (more than " + TOLERANCE + ") in ONNX Runtime; nothing written");
        }
        return diff;
    }

    /** As above, on a random batch of 8 images of {@code shape} {C, H, W} (fixed seed). */
    public static double maxDifference(ComputationGraph graph, byte[] onnx, long[] shape, Normalization n) {
        Nd4j.getRandom().setSeed(19);
        return maxDifference(graph, onnx, Nd4j.rand(DataType.FLOAT, 8, shape[0], shape[1], shape[2]), n);
    }

    /** {@code pixels} with {@code n} applied per channel, as the data pipeline applies it. */
    public static INDArray normalized(INDArray pixels, Normalization n) {
        INDArray x = pixels.castTo(DataType.FLOAT).dup('c');
        float[] values = x.data().asFloat();
        long[] s = x.shape();
        int image = (int) (s[1] * s[2] * s[3]);
        for (int i = 0; i < s[0]; i++) {
            n.apply(values, i * image, (int) s[1], (int) s[2], (int) s[3]);
        }
        return Nd4j.create(values, s, 'c');
    }
}
