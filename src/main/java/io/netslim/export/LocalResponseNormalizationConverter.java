package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;

/**
 * DL4J's cross-channel local response normalisation (FaceNet's stem) as ONNX LRN. DL4J divides by
 * (k + alpha * sum of squares over the n channels around)^beta; ONNX by (bias + alpha / size * sum)^beta, so
 * ONNX's alpha is DL4J's times n. An even n is refused: DL4J then sums over n + 1 channels, ONNX over n.
 */
final class LocalResponseNormalizationConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        LocalResponseNormalization lrn = (LocalResponseNormalization) v.conf();
        v.requireNchw(lrn.getDataFormat());
        v.spatialInput(0);
        double n = lrn.getN();
        if (n != Math.rint(n) || ((long) n) % 2 == 0) {
            throw v.unsupported("has n = " + n + "; only an odd whole window (the same channels in DL4J and ONNX LRN) "
                    + "converts");
        }
        g.node("LRN", v.name(), v.input(0))
                .addAttribute(OnnxGraph.integer("size", (long) n))
                .addAttribute(OnnxGraph.real("alpha", (float) (lrn.getAlpha() * n)))
                .addAttribute(OnnxGraph.real("beta", (float) lrn.getBeta()))
                .addAttribute(OnnxGraph.real("bias", (float) lrn.getK()));
        return v.name();
    }
}
