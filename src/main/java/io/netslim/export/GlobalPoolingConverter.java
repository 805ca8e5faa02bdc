package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;

import java.util.Arrays;

/** DL4J's global max or average pooling over height and width as ONNX GlobalMaxPool/GlobalAveragePool (+ Flatten). */
final class GlobalPoolingConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        GlobalPoolingLayer p = (GlobalPoolingLayer) v.conf();
        v.spatialInput(0);
        int[] dims = p.getPoolingDimensions();
        if (dims != null && !Arrays.equals(dims, new int[] {2, 3})) {
            throw v.unsupported("pools over dimensions " + Arrays.toString(dims) + " (height and width {2, 3} convert)");
        }
        String op = switch (p.getPoolingType()) {
            case MAX -> "GlobalMaxPool";
            case AVG -> "GlobalAveragePool";
            default -> throw v.unsupported("uses pooling type " + p.getPoolingType() + " (MAX and AVG convert)");
        };
        String out = v.name();
        if (p.isCollapseDimensions()) {
            g.node(op, v.name() + "/pooled", v.input(0));
            g.node("Flatten", out, v.name() + "/pooled").addAttribute(OnnxGraph.integer("axis", 1));
        } else {
            g.node(op, out, v.input(0));
        }
        return out;
    }
}
