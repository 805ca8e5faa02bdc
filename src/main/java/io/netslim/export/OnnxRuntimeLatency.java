package io.netslim.export;

import io.netslim.metrics.Latency;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/** Inference latency of exported models in ONNX Runtime, timed like DL4J's ({@link Latency#alternatingPasses}). */
public final class OnnxRuntimeLatency {
    private OnnxRuntimeLatency() {
    }

    /**
     * Median milliseconds per forward pass of {@code batch} random images of {@code shape} {C, H, W} for each
     * ONNX model, timed one pass at a time in alternation after {@code warmup} untimed passes each.
     */
    public static double[] alternating(List<byte[]> models, long[] shape, int batch, int warmup, int repeats) {
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, shape[0], shape[1], shape[2]);
        List<OnnxRuntimeModel> sessions = new ArrayList<>();
        List<OnnxRuntimeModel.Pass> passes = new ArrayList<>();
        try {
            for (byte[] m : models) {
                OnnxRuntimeModel session = new OnnxRuntimeModel(m);
                sessions.add(session);
                passes.add(session.pass(x));
            }
            return Latency.alternatingPasses(passes, warmup, repeats);
        } finally {
            passes.forEach(OnnxRuntimeModel.Pass::close);
            sessions.forEach(OnnxRuntimeModel::close);
        }
    }
}
