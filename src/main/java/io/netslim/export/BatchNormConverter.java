package io.netslim.export;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * Inference-time batch norm y = gamma (x - mean) / sqrt(var + eps) + beta. Folded into the convolution before it
 * when that convolution feeds this batch norm alone and has no activation (VGG's conv-BN, the inner conv-BN of a
 * pre-activation block): scaling each output channel's filter and bias is the same affine map, so nothing of the
 * batch norm is left. Everywhere else (a pre-activation batch norm reading a residual sum, a concatenation or a
 * channel selection, where a ReLU separates it from the next convolution) it stays an ONNX BatchNormalization.
 */
final class BatchNormConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        BatchNormalization bn = (BatchNormalization) v.conf();
        v.requireNchw(bn.getCnn2DFormat());
        if (bn.getActivationFn() != null && !(bn.getActivationFn() instanceof ActivationIdentity)) {
            // DL4J's oneDNN batch norm helper returns without applying it; its Java path applies it
            throw v.unsupported("has activation " + bn.getActivationFn() + ", which DL4J applies or not depending on "
                    + "whether its oneDNN helper runs; give the batch norm the identity and an ActivationLayer after it");
        }
        float[] mean = v.floats(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        int n = mean.length;
        float[] gamma = bn.isLockGammaBeta() ? filled(n, bn.getGamma()) : v.floats(BatchNormalizationParamInitializer.GAMMA);
        float[] beta = bn.isLockGammaBeta() ? filled(n, bn.getBeta()) : v.floats(BatchNormalizationParamInitializer.BETA);
        // DL4J keeps the running variance as log10 of its square root (useLogStd, the default) or as is; either
        // way inference divides by sqrt(var + eps)
        double[] var = new double[n];
        if (v.params().containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)) {
            float[] log10 = v.floats(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            for (int i = 0; i < n; i++) {
                var[i] = Math.pow(100, log10[i]);
            }
        } else {
            float[] stored = v.floats(BatchNormalizationParamInitializer.GLOBAL_VAR);
            for (int i = 0; i < n; i++) {
                var[i] = stored[i];
            }
        }
        double[] std = new double[n];
        for (int i = 0; i < n; i++) {
            std[i] = Math.sqrt(var[i] + bn.getEps());
        }
        return foldIntoConvolution(v, g, gamma, beta, mean, std)
                ? v.input(0) : batchNormalization(v, g, gamma, beta, mean, var, bn);
    }

    private static boolean foldIntoConvolution(Vertex v, OnnxGraph g, float[] gamma, float[] beta, float[] mean,
                                               double[] std) {
        Onnx.NodeProto.Builder conv = g.producer(v.input(0));
        if (v.readers()[0] != 1 || conv == null || !conv.getOpType().equals("Conv")) {
            return false;
        }
        float[] w = g.floats(conv.getInput(1));
        float[] bias = conv.getInputCount() > 2 ? g.floats(conv.getInput(2)) : null;
        int n = gamma.length;
        float[] folded = new float[n];
        int perChannel = w.length / n;
        for (int o = 0; o < n; o++) {
            double scale = gamma[o] / std[o];
            for (int k = o * perChannel; k < (o + 1) * perChannel; k++) {
                w[k] = (float) (w[k] * scale);
            }
            folded[o] = (float) (beta[o] + ((bias == null ? 0 : bias[o]) - mean[o]) * scale);
        }
        if (bias == null) {
            conv.addInput(g.weight(conv.getName() + ".bias", folded, n));
        } else {
            System.arraycopy(folded, 0, bias, 0, n);
        }
        return true;
    }

    private static String batchNormalization(Vertex v, OnnxGraph g, float[] gamma, float[] beta, float[] mean,
                                             double[] var, BatchNormalization bn) {
        int n = gamma.length;
        float[] variance = new float[n];
        for (int i = 0; i < n; i++) {
            variance[i] = (float) var[i];
        }
        String p = v.name() + ".";
        g.node("BatchNormalization", v.name(), v.input(0),
                        g.weight(p + "scale", gamma, n), g.weight(p + "bias", beta, n), g.weight(p + "mean", mean, n),
                        g.weight(p + "var", variance, n))
                .addAttribute(OnnxGraph.real("epsilon", (float) bn.getEps()));
        return v.name();
    }

    private static float[] filled(int n, double value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, (float) value);
        return a;
    }
}
