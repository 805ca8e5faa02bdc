package io.netslim.export;

import onnx.Onnx;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;

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
        float[] mean = v.floats(BatchNormalizationParamInitializer.GLOBAL_MEAN);
        int n = mean.length;
        float[] gamma = bn.isLockGammaBeta() ? filled(n, bn.getGamma()) : v.floats(BatchNormalizationParamInitializer.GAMMA);
        float[] beta = bn.isLockGammaBeta() ? filled(n, bn.getBeta()) : v.floats(BatchNormalizationParamInitializer.BETA);
        double[] std = new double[n];
        if (v.params().containsKey(BatchNormalizationParamInitializer.GLOBAL_LOG_STD)) {
            float[] log10 = v.floats(BatchNormalizationParamInitializer.GLOBAL_LOG_STD);
            for (int i = 0; i < n; i++) {
                std[i] = Math.pow(10, log10[i]);
            }
        } else {
            float[] var = v.floats(BatchNormalizationParamInitializer.GLOBAL_VAR);
            for (int i = 0; i < n; i++) {
                std[i] = Math.sqrt(var[i] + bn.getEps());
            }
        }
        String out = foldIntoConvolution(v, g, gamma, beta, mean, std)
                ? v.input(0) : batchNormalization(v, g, gamma, beta, mean, std, bn);
        return Activations.apply(g, v, bn.getActivationFn(), out);
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
                                             double[] std, BatchNormalization bn) {
        int n = gamma.length;
        float[] var = new float[n];
        for (int i = 0; i < n; i++) {
            var[i] = (float) Math.max(0, std[i] * std[i] - bn.getEps());
        }
        String p = v.name() + ".";
        g.node("BatchNormalization", Activations.preActivation(v, bn.getActivationFn()), v.input(0),
                        g.weight(p + "scale", gamma, n), g.weight(p + "bias", beta, n), g.weight(p + "mean", mean, n),
                        g.weight(p + "var", var, n))
                .addAttribute(OnnxGraph.real("epsilon", (float) bn.getEps()));
        return Activations.preActivation(v, bn.getActivationFn());
    }

    private static float[] filled(int n, double value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, (float) value);
        return a;
    }
}
