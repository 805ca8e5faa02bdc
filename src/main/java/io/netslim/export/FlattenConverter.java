package io.netslim.export;

import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;

/** DL4J's CNN-to-dense preprocessor (row-major flattening of NCHW) as ONNX Flatten. */
final class FlattenConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        v.requireNchw(((CnnToFeedForwardPreProcessor) v.conf()).getFormat());
        g.node("Flatten", v.name(), v.input(0)).addAttribute(OnnxGraph.integer("axis", 1));
        return v.name();
    }
}
