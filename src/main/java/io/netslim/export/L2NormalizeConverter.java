package io.netslim.export;

import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;

import java.util.stream.IntStream;

/** DL4J's L2 normalisation vertex (FaceNet's embeddings): x / max(||x||, eps) as ONNX ReduceL2, Max and Div. */
final class L2NormalizeConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        L2NormalizeVertex l2 = (L2NormalizeVertex) v.conf();
        int rank = v.inputTypes().get(0).getShape(false).length + 1;
        int[] dims = l2.getDimension();
        if (dims == null || dims.length == 0) {
            dims = IntStream.range(1, rank).toArray(); // DL4J's default: every dimension but the batch
        }
        for (int d : dims) {
            if (d <= 0 || d >= rank) {
                throw v.unsupported("normalises over dimension " + d + " of a rank-" + rank
                        + " input (dimensions after the batch convert)");
            }
        }
        String norm = v.name() + "/norm";
        g.node("ReduceL2", norm, v.input(0))
                .addAttribute(OnnxGraph.ints("axes", Padding.longs(dims)))
                .addAttribute(OnnxGraph.integer("keepdims", 1));
        g.node("Max", v.name() + "/clamped", norm, g.weight(v.name() + ".eps", new float[] {(float) l2.getEps()}));
        g.node("Div", v.name(), v.input(0), v.name() + "/clamped");
        return v.name();
    }
}
