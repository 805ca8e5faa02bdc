package io.netslim.export;

import org.deeplearning4j.nn.conf.graph.ScaleVertex;

/** DL4J's scale vertex (InceptionResNet's residual scaling) as ONNX Mul by a scalar. */
final class ScaleConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        float factor = (float) ((ScaleVertex) v.conf()).getScaleFactor();
        g.node("Mul", v.name(), v.input(0), g.weight(v.name() + ".factor", new float[] {factor}));
        return v.name();
    }
}
