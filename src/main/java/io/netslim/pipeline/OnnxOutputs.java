package io.netslim.pipeline;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.artifacts.ArtifactStore;
import io.netslim.config.ConfigException;
import io.netslim.data.Augmentation;
import io.netslim.data.ImageRecords;
import io.netslim.data.ImageSource;
import io.netslim.data.Normalization;
import io.netslim.export.OnnxCheck;
import io.netslim.export.OnnxExporter;
import io.netslim.export.OnnxRuntimeLatency;
import io.netslim.export.UnsupportedModelException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * A run's ONNX side ({@code export.onnx}): the ONNX file size and ONNX Runtime latency of the model before and
 * after pruning, beside DL4J's, and the fine-tuned model as {@value #FINETUNED}, checked against DL4J on test
 * images before it is written.
 */
final class OnnxOutputs {
    static final String FINETUNED = "finetuned.onnx";
    /** Test images the written export is checked on. */
    private static final int CHECK_IMAGES = 64;

    private OnnxOutputs() {
    }

    /**
     * Refuses, before anything runs, a network whose fine-tuned model {@code export.onnx} could not write: pruning
     * only narrows layers and adds channel selections, so the starting network decides.
     */
    static void checkExportable(ComputationGraph start, long[] shape) {
        try {
            OnnxExporter.export(start, shape, Normalization.NONE);
        } catch (UnsupportedModelException e) {
            throw new ConfigException("export.onnx = true: " + e.getMessage()
                    + "; set export.onnx = false to run without finetuned.onnx and ONNX Runtime latency");
        }
    }

    /**
     * ONNX bytes and ONNX Runtime latency (median ms per batch of {@code batch}, the two models in alternation)
     * before and after pruning: {@code {bytes: {before, after, cut}, latency: {before, after, cut}}}.
     */
    static ObjectNode measure(ComputationGraph before, ComputationGraph after, long[] shape, Normalization n,
                              int batch) {
        byte[] a = OnnxExporter.bytes(before, shape, n);
        byte[] b = OnnxExporter.bytes(after, shape, n);
        double[] ms = OnnxRuntimeLatency.alternating(List.of(a, b), shape, batch, 2, 5);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.putObject("bytes").put("before", a.length).put("after", b.length).put("cut", 1.0 - (double) b.length / a.length);
        out.putObject("latency").put("before", ms[0]).put("after", ms[1]).put("cut", 1.0 - ms[1] / ms[0]);
        return out;
    }

    /**
     * Writes {@code graph} as ONNX to {@code name} after checking ONNX Runtime against DL4J on a sample of test images
     * (pixels / 255 into ONNX, normalised into DL4J); returns {@code {file, bytes, max_abs_difference}}.
     */
    static ObjectNode write(ArtifactStore store, String name, ComputationGraph graph, ImageSource data) {
        byte[] onnx = OnnxExporter.bytes(graph, data.inputShape(), data.normalization());
        ImageRecords head = data.testSample(CHECK_IMAGES, 0);
        INDArray pixels = head.batch(head.order(null), 0, head.size(), Augmentation.NONE, Normalization.NONE, null)
                .getFeatures();
        double diff = OnnxCheck.maxDifference(graph, onnx, pixels, data.normalization());
        store.write(name, out -> out.write(onnx));
        return JsonNodeFactory.instance.objectNode().put("file", name).put("bytes", onnx.length)
                .put("max_abs_difference", diff);
    }
}
