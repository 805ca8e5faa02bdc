package io.netslim.export;

import org.deeplearning4j.nn.conf.graph.MergeVertex;

/** DL4J's merge vertex (DenseNet's concatenations) as ONNX Concat along the channels. */
final class MergeConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        int axis = ((MergeVertex) v.conf()).getMergeAxis();
        if (axis != 1) {
            throw v.unsupported("merges along axis " + axis + " (the channel axis 1 converts)");
        }
        g.node("Concat", v.name(), v.inputs().toArray(new String[0])).addAttribute(OnnxGraph.integer("axis", 1));
        return v.name();
    }
}
