package io.netslim.export;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * DL4J's YOLOv2 output layer (TinyYOLO, YOLO2) at inference, as its {@code activate} computes it: the input
 * [N, B * (5 + C), H, W] seen as [N, B, 5 + C, H, W]; per anchor b, sigmoid of the box centre (x, y), the prior's
 * width and height times exp of the predicted ones, sigmoid of the confidence, softmax over the C classes; the
 * result back in the input's shape. ONNX Reshape, Slice, Sigmoid, Exp, Mul, Softmax, Concat, Reshape.
 */
final class Yolo2OutputConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        Yolo2OutputLayer y = (Yolo2OutputLayer) v.conf();
        v.requireNchw(y.getFormat());
        long[] hw = v.spatialInput(0);
        long depth = ((InputType.InputTypeConvolutional) v.inputTypes().get(0)).getChannels();
        float[] priors = y.getBoundingBoxes().castTo(DataType.FLOAT).dup('c').data().asFloat(); // [B, 2]: w, h
        long boxes = priors.length / 2;
        if (depth % boxes != 0 || depth / boxes <= 5) {
            throw v.unsupported("reads " + depth + " channels, not " + boxes + " anchors x (5 + classes)");
        }
        long perBox = depth / boxes;
        String p = v.name() + "/";
        String grid = p + "anchors";
        g.node("Reshape", grid, v.input(0), g.int64(p + "anchors.shape", new long[] {0, boxes, perBox, hw[0], hw[1]}, 5));
        String xy = g.node("Sigmoid", p + "xy", slice(g, grid, p + "xy.raw", 0, 2)).getOutput(0);
        String exp = g.node("Exp", p + "wh.exp", slice(g, grid, p + "wh.raw", 2, 4)).getOutput(0);
        String wh = g.node("Mul", p + "wh", exp, g.weight(p + "priors", priors, 1, boxes, 2, 1, 1)).getOutput(0);
        String conf = g.node("Sigmoid", p + "confidence", slice(g, grid, p + "confidence.raw", 4, 5)).getOutput(0);
        String classes = g.node("Softmax", p + "classes", slice(g, grid, p + "classes.raw", 5, perBox))
                .addAttribute(OnnxGraph.integer("axis", 2)).getOutput(0);
        g.node("Concat", p + "activated", xy, wh, conf, classes).addAttribute(OnnxGraph.integer("axis", 2));
        g.node("Reshape", v.name(), p + "activated", g.int64(p + "shape", new long[] {0, depth, hw[0], hw[1]}, 4));
        return v.name();
    }

    /** Channels [from, to) of each anchor (axis 2 of the anchor grid); returns the tensor's name. */
    private static String slice(OnnxGraph g, String grid, String out, long from, long to) {
        g.node("Slice", out, grid, g.int64(out + ".starts", new long[] {from}, 1),
                g.int64(out + ".ends", new long[] {to}, 1), g.int64(out + ".axes", new long[] {2}, 1));
        return out;
    }
}
