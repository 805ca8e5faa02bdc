package io.netslim.export;

import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ONNX graph under construction: nodes in topological order and their weights, kept as plain arrays until
 * {@link #toProto} so that a converter can still fold a batch norm into the convolution before it.
 */
public final class OnnxGraph {
    private final List<Onnx.NodeProto.Builder> nodes = new ArrayList<>();
    private final Map<String, Onnx.NodeProto.Builder> producers = new HashMap<>();
    private final Map<String, Weight> weights = new LinkedHashMap<>();

    /** A float (or int64) initializer. */
    public record Weight(long[] dims, float[] floats, long[] longs) {
    }

    /** Adds a float initializer named {@code name}; returns the name. */
    public String weight(String name, float[] values, long... dims) {
        weights.put(name, new Weight(dims, values, null));
        return name;
    }

    /** Adds an int64 initializer named {@code name}; returns the name. */
    public String int64(String name, long[] values, long... dims) {
        weights.put(name, new Weight(dims, null, values));
        return name;
    }

    /** The float values of initializer {@code name} (mutable: folding rewrites them in place). */
    public float[] floats(String name) {
        Weight w = weights.get(name);
        return w == null ? null : w.floats();
    }

    /** Adds a node of {@code op} reading {@code inputs} and writing the one tensor {@code output}; returns it. */
    public Onnx.NodeProto.Builder node(String op, String output, String... inputs) {
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        nodes.add(n);
        producers.put(output, n);
        return n;
    }

    /** The node writing tensor {@code name}, or null for the graph input. */
    public Onnx.NodeProto.Builder producer(String name) {
        return producers.get(name);
    }

    public static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name)
                .setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static Onnx.AttributeProto integer(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT)
                .setI(value).build();
    }

    public static Onnx.AttributeProto real(String name, float value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT)
                .setF(value).build();
    }

    /** The graph with its initializers, one float input and one float output of the given shapes (null: dynamic). */
    Onnx.GraphProto toProto(String name, String input, Long[] inputShape, String output, Long[] outputShape) {
        Onnx.GraphProto.Builder g = Onnx.GraphProto.newBuilder().setName(name);
        nodes.forEach(n -> g.addNode(n.build()));
        weights.forEach((n, w) -> g.addInitializer(tensor(n, w)));
        g.addInput(valueInfo(input, inputShape));
        g.addOutput(valueInfo(output, outputShape));
        return g.build();
    }

    private static Onnx.TensorProto tensor(String name, Weight w) {
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name);
        for (long d : w.dims()) {
            t.addDims(d);
        }
        ByteBuffer raw;
        if (w.floats() != null) {
            t.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE);
            raw = ByteBuffer.allocate(4 * w.floats().length).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(w.floats());
        } else {
            t.setDataType(Onnx.TensorProto.DataType.INT64_VALUE);
            raw = ByteBuffer.allocate(8 * w.longs().length).order(ByteOrder.LITTLE_ENDIAN);
            raw.asLongBuffer().put(w.longs());
        }
        return t.setRawData(ByteString.copyFrom(raw.array())).build();
    }

    /** A float tensor's type and shape; a null dimension is the dynamic batch ("batch"). */
    private static Onnx.ValueInfoProto valueInfo(String name, Long[] shape) {
        Onnx.TensorShapeProto.Builder s = Onnx.TensorShapeProto.newBuilder();
        for (Long d : shape) {
            s.addDim(d == null ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder()
                .setTensorType(Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(s))).build();
    }
}
