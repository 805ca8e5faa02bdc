package io.netslim.export;

/** Converts one DL4J layer, vertex or preprocessor type into ONNX nodes (registered in {@link OnnxConverters}). */
@FunctionalInterface
public interface VertexConverter {
    /** Adds the vertex's nodes to {@code g}; returns the name of the tensor holding the vertex's output. */
    String convert(Vertex v, OnnxGraph g);
}
