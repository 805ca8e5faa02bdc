package io.netslim.export;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;

/** DL4J's element-wise vertex (residual sums) as ONNX Sum, Sub, Mul, Mean or Max. */
final class ElementWiseConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        ElementWiseVertex e = (ElementWiseVertex) v.conf();
        String op = switch (e.getOp()) {
            case Add -> "Sum";
            case Subtract -> "Sub";
            case Product -> "Mul";
            case Average -> "Mean";
            case Max -> "Max";
        };
        if (op.equals("Mul") && v.inputs().size() > 2) {
            String acc = v.input(0);
            for (int i = 1; i < v.inputs().size(); i++) {
                String out = i == v.inputs().size() - 1 ? v.name() : v.name() + "/product" + i;
                g.node("Mul", out, acc, v.input(i));
                acc = out;
            }
            return acc;
        }
        g.node(op, v.name(), v.inputs().toArray(new String[0]));
        return v.name();
    }
}
