package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer;

/**
 * DL4J's space-to-depth (YOLO2's passthrough) as ONNX SpaceToDepth: both put block offset (row, column) before the
 * input channel, output channel = (row * block + column) * C + c.
 */
final class SpaceToDepthConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        SpaceToDepthLayer s = (SpaceToDepthLayer) v.conf();
        v.requireNchw(s.getDataFormat());
        v.spatialInput(0);
        g.node("SpaceToDepth", v.name(), v.input(0)).addAttribute(OnnxGraph.integer("blocksize", s.getBlockSize()));
        return v.name();
    }
}
