package io.netslim.export;

import io.netslim.runtime.BuildInfo;
import io.netslim.data.Normalization;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a DL4J ComputationGraph as an ONNX model (opset {@value #OPSET}) that serving runtimes load: one input
 * {@value #INPUT} of shape [batch, C, H, W] (batch dynamic) taking pixels / 255, the run's per-channel
 * normalisation as the graph's first nodes, one output {@value #OUTPUT} [batch, classes] of class probabilities.
 * Every vertex goes through the converter {@link OnnxConverters} registers for its type; one without a converter
 * is refused by name, so a model either exports completely or not at all.
 */
public final class OnnxExporter {
    public static final int OPSET = 13;
    /** ONNX IR version 7: the version of opset 13, read by every runtime that reads opset 13. */
    public static final int IR_VERSION = 7;
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    /** The prefix of the normalisation's nodes and weights. */
    private static final String NORMALIZATION = "normalization";

    private OnnxExporter() {
    }

    /** The model as ONNX protobuf bytes. */
    public static byte[] bytes(ComputationGraph graph, long[] inputShape, Normalization normalization) {
        return export(graph, inputShape, normalization).toByteArray();
    }

    /**
     * Converts {@code graph} for inputs of {@code inputShape} {C, H, W}, with {@code normalization} (x - mean) / std
     * per channel applied first (nothing for {@link Normalization#NONE}).
     */
    public static Onnx.ModelProto export(ComputationGraph graph, long[] inputShape, Normalization normalization) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new UnsupportedModelException("the model has inputs " + conf.getNetworkInputs() + " and outputs "
                    + conf.getNetworkOutputs() + "; the exporter converts models with one image input and one output");
        }
        String inputName = conf.getNetworkInputs().get(0);
        Map<String, Integer> readers = new HashMap<>();
        conf.getVertexInputs().values().forEach(ins -> ins.forEach(in -> readers.merge(in, 1, Integer::sum)));
        conf.getNetworkOutputs().forEach(out -> readers.merge(out, 1, Integer::sum));

        OnnxGraph g = new OnnxGraph();
        Map<String, String> tensors = new HashMap<>();
        Map<String, InputType> types = new HashMap<>();
        tensors.put(inputName, normalize(g, inputShape, normalization));
        types.put(inputName, InputType.convolutional(inputShape[1], inputShape[2], inputShape[0]));
        readers.put(inputName, -1);
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (name.equals(inputName)) {
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            List<String> inputNames = conf.getVertexInputs().get(name);
            List<String> inputs = new ArrayList<>();
            List<InputType> inputTypes = new ArrayList<>();
            int[] inputReaders = new int[inputNames.size()];
            for (int i = 0; i < inputNames.size(); i++) {
                inputs.add(tensors.get(inputNames.get(i)));
                inputTypes.add(types.get(inputNames.get(i)));
                inputReaders[i] = readers.get(inputNames.get(i));
            }
            Object config = vertex;
            Map<String, INDArray> params = Map.of();
            if (vertex instanceof LayerVertex lv) {
                InputPreProcessor pre = lv.getPreProcessor();
                if (pre != null) {
                    Vertex p = new Vertex(name + "/preprocess", pre, inputs, inputTypes, Map.of(), inputReaders);
                    inputs = List.of(OnnxConverters.of(p).convert(p, g));
                    inputTypes = List.of(pre.getOutputType(inputTypes.get(0)));
                    inputReaders = new int[] {1};
                }
                config = lv.getLayerConf().getLayer();
                params = graph.getLayer(name).paramTable();
            }
            Vertex v = new Vertex(onnxName(name), config, inputs, inputTypes, params, inputReaders);
            tensors.put(name, OnnxConverters.of(v).convert(v, g));
            types.put(name, vertex.getOutputType(-1, types(conf, name, types)));
        }
        String outputName = conf.getNetworkOutputs().get(0);
        g.node("Identity", OUTPUT, tensors.get(outputName));
        Onnx.GraphProto proto = g.toProto("netslim", INPUT,
                new Long[] {null, inputShape[0], inputShape[1], inputShape[2]}, OUTPUT, shape(types.get(outputName)));
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("netslim")
                .setProducerVersion(BuildInfo.VERSION)
                .setDocString("Input " + INPUT + ": float32 [batch, " + inputShape[0] + ", " + inputShape[1] + ", "
                        + inputShape[2] + "], pixels / 255" + (normalization.isNone() ? ""
                        : " (the per-channel normalisation is part of the graph)")
                        + ". Output " + OUTPUT + ": class probabilities.")
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(proto);
        if (!normalization.isNone()) {
            model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey("normalization.mean")
                    .setValue(Arrays.toString(normalization.mean())));
            model.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey("normalization.std")
                    .setValue(Arrays.toString(normalization.std())));
        }
        return model.build();
    }

    /** The ONNX name of DL4J vertex {@code name}: its own unless the graph's input, output or normalisation has it. */
    private static String onnxName(String name) {
        return name.equals(INPUT) || name.equals(OUTPUT) || name.startsWith(NORMALIZATION) ? name + Vertex.RENAMED : name;
    }

    /** (x - mean) * (1 / std) per channel, exactly as {@link Normalization#apply} computes it; returns the tensor. */
    private static String normalize(OnnxGraph g, long[] shape, Normalization n) {
        if (n.isNone()) {
            return INPUT;
        }
        if (n.mean().length != shape[0]) {
            throw new UnsupportedModelException("normalization has " + n.mean().length + " channels, the model's input "
                    + shape[0]);
        }
        float[] inverse = new float[n.std().length];
        for (int c = 0; c < inverse.length; c++) {
            inverse[c] = 1f / n.std()[c];
        }
        g.node("Sub", NORMALIZATION + "/centred", INPUT,
                g.weight(NORMALIZATION + ".mean", n.mean().clone(), 1, shape[0], 1, 1));
        g.node("Mul", NORMALIZATION, NORMALIZATION + "/centred",
                g.weight(NORMALIZATION + ".inverse_std", inverse, 1, shape[0], 1, 1));
        return NORMALIZATION;
    }

    private static InputType[] types(ComputationGraphConfiguration conf, String vertex, Map<String, InputType> types) {
        return conf.getVertexInputs().get(vertex).stream().map(types::get).toArray(InputType[]::new);
    }

    /** The ONNX shape of an output type, batch first and dynamic. */
    private static Long[] shape(InputType t) {
        long[] s = t.getShape(false);
        Long[] out = new Long[s.length + 1];
        for (int i = 0; i < s.length; i++) {
            out[i + 1] = s[i];
        }
        return out;
    }
}
