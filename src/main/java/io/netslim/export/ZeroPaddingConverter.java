package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

/** DL4J's zero padding of height and width (ResNet50's stem) as ONNX Pad with constant zeros. */
final class ZeroPaddingConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        ZeroPaddingLayer z = (ZeroPaddingLayer) v.conf();
        v.requireNchw(z.getDataFormat());
        v.spatialInput(0);
        int[] p = z.getPadding(); // {top, bottom, left, right}
        // ONNX pads: the begins of N, C, H, W, then their ends
        long[] pads = {0, 0, p[0], p[2], 0, 0, p[1], p[3]};
        g.node("Pad", v.name(), v.input(0), g.int64(v.name() + ".pads", pads, pads.length)); // mode constant, 0
        return v.name();
    }
}
