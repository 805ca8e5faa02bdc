package io.netslim.cpu;

import io.netslim.runtime.ThreadBudget;
import io.netslim.sparsity.L1Penalty;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.Map;

/**
 * Batch normalisation of float activations, forward and backward, in plain Java: NCHW one channel per task, or
 * channels-last ({@link ChannelsLast}) through {@link ChannelsLastBatchNorm}, converting to the output's order
 * where input and output differ.
 *
 * <p>Why: in DL4J M2.1 the oneDNN batch-norm backward runs oneDNN's kernel with fixed statistics and then adds
 * the mean and variance terms with nine libnd4j broadcast and reduction ops over the strided (N, H, W) axes; it
 * took more of a training step than a third of a convolution (docs/performance.md). Each channel's N x H x W values are
 * contiguous blocks in NCHW, small enough to stay in cache between two passes, so two passes per channel
 * (statistics, then the output) do the whole job (channels-last data goes row by row instead). With {@code fusedRelu} it also applies the ReLU of the layer
 * after it (forward: max(y, 0); backward: the gradient masked where the recomputed y was not positive). For
 * anything but rank-4 NCHW float input with trainable gamma and beta it returns null, so that DL4J uses its own
 * code, or throws when a ReLU is fused, gamma carries the sparsity penalty or the data is channels-last (DL4J's
 * code would get them wrong).
 * The penalty lambda * sign(gamma) goes straight into gamma's gradient: DL4J's own L1 regularisation costs
 * three ND4J ops per batch norm and step and splits its updater blocks.
 */
public final class JavaBatchNormHelper implements BatchNormalizationHelper {
    private final boolean fusedRelu;
    private final L1Penalty penalty;
    private final boolean gradientDividedByBatch;
    private final boolean inChannelsLast;
    private final boolean outChannelsLast;
    private INDArray meanCache;
    private INDArray varCache;

    /**
     * @param fusedRelu also apply max(y, 0) forward and its mask backward (the next layer passes through)
     * @param penalty the sparsity penalty, whose L1 sub-gradient this adds to gamma's gradient (its weight decay is
     *                DL4J's to apply)
     * @param gradientDividedByBatch DL4J will divide the gradient by the minibatch size (its miniBatch setting):
     *                               the penalty is multiplied by it here, so that it arrives undivided
     * @param inChannelsLast the input (and its gradient) holds NHWC values ({@link ChannelsLast})
     * @param outChannelsLast the output (and its gradient) holds NHWC values
     */
    public JavaBatchNormHelper(boolean fusedRelu, L1Penalty penalty, boolean gradientDividedByBatch,
                               boolean inChannelsLast, boolean outChannelsLast) {
        this.fusedRelu = fusedRelu;
        this.penalty = penalty;
        this.gradientDividedByBatch = gradientDividedByBatch;
        this.inChannelsLast = inChannelsLast;
        this.outChannelsLast = outChannelsLast;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public boolean checkSupported(double eps, boolean fixedGammaBeta) {
        return !fixedGammaBeta;
    }

    @Override
    public INDArray preOutput(INDArray x, boolean training, long[] shape, INDArray gamma, INDArray beta,
                              INDArray mean, INDArray var, double decay, double eps, CNN2DFormat format,
                              LayerWorkspaceMgr workspaceMgr) {
        if (!supported(x, format) || gamma == null || beta == null) {
            return unsupported(x, format);
        }
        int c = (int) x.size(1);
        float[] g = floats(gamma, c);
        float[] b = floats(beta, c);
        float[] m = training ? new float[c] : floats(mean, c);
        float[] v = training ? new float[c] : floats(var, c);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
        // computed in the input's layout, then moved into the output's when the two differ
        INDArray core = inChannelsLast == outChannelsLast ? out
                : Nd4j.createUninitialized(DataType.FLOAT, x.shape(), 'c');
        if (inChannelsLast) {
            channelsLastForward(x, training, g, b, m, v, eps, core);
        } else {
            nchwForward(x, training, g, b, m, v, eps, core);
        }
        if (core != out) {
            ChannelsLastArrays.convert(core, inChannelsLast, out);
        }
        if (training) {
            meanCache = cache(meanCache, m);
            varCache = cache(varCache, v);
        }
        return out;
    }

    private void nchwForward(INDArray x, boolean training, float[] g, float[] b, float[] m, float[] v, double eps,
                             INDArray out) {
        NchwBlocks in = NchwBlocks.of(x);
        int n = in.images;
        int hw = in.blockSize;
        NchwBlocks o = NchwBlocks.writableOver(out);
        ThreadBudget.range(0, in.channels).forEach(ch -> {
            float[] blk = new float[hw];
            if (training) {
                double sum = 0;
                for (int i = 0; i < n; i++) {
                    in.read(i, ch, blk);
                    sum += sum(blk);
                }
                float mu = (float) (sum / ((double) n * hw));
                double sq = 0;
                for (int i = 0; i < n; i++) {
                    in.read(i, ch, blk);
                    sq += squaredDeviation(blk, mu);
                }
                m[ch] = mu;
                v[ch] = (float) (sq / ((double) n * hw));
            }
            float a = (float) (g[ch] / Math.sqrt(v[ch] + eps));
            float s = b[ch] - m[ch] * a;
            for (int i = 0; i < n; i++) {
                in.read(i, ch, blk);
                if (fusedRelu) {
                    for (int k = 0; k < hw; k++) {
                        blk[k] = Math.max(blk[k] * a + s, 0f);
                    }
                } else {
                    for (int k = 0; k < hw; k++) {
                        blk[k] = blk[k] * a + s;
                    }
                }
                o.write(i, ch, blk);
            }
        });
    }

    private void channelsLastForward(INDArray x, boolean training, float[] g, float[] b, float[] m, float[] v,
                                     double eps, INDArray out) {
        ChannelsLastBatchNorm rows = rows(x);
        if (training) {
            rows.statistics(m, v);
        }
        float[][] affine = affine(g, b, m, v, eps);
        rows.normalize(affine[0], affine[1], fusedRelu, ChannelsLastArrays.floats(out));
    }

    /** {@code x}'s values as rows of channels (x must hold NHWC values). */
    private static ChannelsLastBatchNorm rows(INDArray x) {
        INDArray d = ChannelsLastArrays.dense(x);
        return new ChannelsLastBatchNorm(ChannelsLastArrays.floats(d), (int) (d.length() / d.size(1)), (int) d.size(1));
    }

    /** The forward pass's per-channel scale a = gamma / sqrt(var + eps) and shift beta - mean * a. */
    private static float[][] affine(float[] g, float[] b, float[] m, float[] v, double eps) {
        float[] a = new float[g.length];
        float[] s = new float[g.length];
        for (int ch = 0; ch < g.length; ch++) {
            a[ch] = (float) (g[ch] / Math.sqrt(v[ch] + eps));
            s[ch] = b[ch] - m[ch] * a[ch];
        }
        return new float[][]{a, s};
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView,
                                                     double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, format) || gamma == null || meanCache == null || dGammaView == null) {
            return unsupported(input, format);
        }
        int c = (int) input.size(1);
        double count = (double) input.length() / c;
        double penalty = this.penalty.gradientCoefficient(input.size(0), gradientDividedByBatch);
        float[] g = floats(gamma, c);
        float[] b = floats(beta, c);
        float[] m = floats(meanCache, c);
        float[] v = floats(varCache, c);
        float[] dGamma = new float[c];
        float[] dBeta = new float[c];
        INDArray dy = epsilon.castTo(DataType.FLOAT);
        if (inChannelsLast != outChannelsLast) {
            // the gradient arrives in the output's layout: computed in the input's
            INDArray moved = Nd4j.createUninitialized(DataType.FLOAT, input.shape(), 'c');
            ChannelsLastArrays.convert(dy, outChannelsLast, moved);
            dy = moved;
        }
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        if (inChannelsLast) {
            channelsLastBackward(input, dy, g, b, m, v, eps, count, penalty, dGamma, dBeta, dx);
        } else {
            nchwBackward(input, dy, g, b, m, v, eps, count, penalty, dGamma, dBeta, dx);
        }
        write(dGammaView, dGamma);
        write(dBetaView, dBeta);
        Gradient grad = new DefaultGradient();
        grad.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        grad.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(grad, dx);
    }

    private void channelsLastBackward(INDArray input, INDArray epsilon, float[] g, float[] b, float[] m, float[] v,
                                      double eps, double count, double penalty, float[] dGamma, float[] dBeta,
                                      INDArray dx) {
        int c = g.length;
        float[][] affine = affine(g, b, m, v, eps);
        ChannelsLastBatchNorm rows = rows(input);
        FloatBuffer dy = ChannelsLastArrays.floats(ChannelsLastArrays.dense(epsilon));
        double[] sums = rows.gradientSums(dy, m, affine[0], affine[1], fusedRelu);
        float[][] k = new float[3][c];
        for (int ch = 0; ch < c; ch++) {
            float[] kc = channelGradient(ch, g, m, v, eps, sums[ch], sums[c + ch], count, penalty, dGamma, dBeta);
            for (int j = 0; j < 3; j++) {
                k[j][ch] = kc[j];
            }
        }
        rows.inputGradient(dy, affine[0], affine[1], fusedRelu, k[0], k[1], k[2], ChannelsLastArrays.floats(dx));
    }

    private void nchwBackward(INDArray input, INDArray epsilon, float[] g, float[] b, float[] m, float[] v,
                              double eps, double count, double penalty, float[] dGamma, float[] dBeta, INDArray dx) {
        NchwBlocks xb = NchwBlocks.of(input);
        NchwBlocks dyb = NchwBlocks.of(epsilon);
        int n = xb.images;
        int hw = xb.blockSize;
        NchwBlocks dxb = NchwBlocks.writableOver(dx);
        ThreadBudget.range(0, xb.channels).forEach(ch -> {
            float[] xs = new float[hw];
            float[] dys = new float[hw];
            float mu = m[ch];
            // the forward pass's scale and shift, to recompute where its ReLU let values through
            float a = (float) (g[ch] / Math.sqrt(v[ch] + eps));
            float shift = b[ch] - mu * a;
            double sumDy = 0;
            double sumDyXmu = 0;
            for (int i = 0; i < n; i++) {
                readGradient(xb, dyb, i, ch, xs, dys, a, shift);
                sumDy += sum(dys);
                sumDyXmu += dot(dys, xs, mu);
            }
            float[] k = channelGradient(ch, g, m, v, eps, sumDy, sumDyXmu, count, penalty, dGamma, dBeta);
            for (int i = 0; i < n; i++) {
                readGradient(xb, dyb, i, ch, xs, dys, a, shift);
                for (int j = 0; j < hw; j++) {
                    dys[j] = k[0] * dys[j] + k[1] * xs[j] + k[2];
                }
                dxb.write(i, ch, dys);
            }
        });
    }

    /**
     * Channel {@code ch}'s gamma and beta gradients (into {@code dGamma}, {@code dBeta}; gamma's with the penalty)
     * and the constants {k1, k2, k3} of its input gradient dx = k1 * dy + k2 * x + k3, from sum(dy) and
     * sum(dy * (x - mu)) over the channel's {@code count} values.
     */
    private static float[] channelGradient(int ch, float[] g, float[] m, float[] v, double eps, double sumDy,
                                           double sumDyXmu, double count, double penalty, float[] dGamma,
                                           float[] dBeta) {
        double invStd = 1.0 / Math.sqrt(v[ch] + eps);
        dBeta[ch] = (float) sumDy;
        dGamma[ch] = (float) (sumDyXmu * invStd + L1Penalty.subgradient(penalty, g[ch]));
        // dx = gamma * invStd * (dy - mean(dy) - (x - mu) * invStd^2 * mean(dy * (x - mu)))
        float k1 = (float) (g[ch] * invStd);
        float k2 = (float) (-g[ch] * invStd * invStd * invStd * sumDyXmu / count);
        float k3 = (float) (-g[ch] * invStd * sumDy / count - k2 * (double) m[ch]);
        return new float[]{k1, k2, k3};
    }

    @Override
    public INDArray getMeanCache(DataType dataType) {
        return meanCache;
    }

    @Override
    public INDArray getVarCache(DataType dataType) {
        return varCache;
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        return Collections.emptyMap();
    }

    /** Null, so that DL4J uses its own code; but that code knows nothing of a fused ReLU or the penalty. */
    private <T> T unsupported(INDArray x, CNN2DFormat format) {
        if (fusedRelu || penalty.onGamma() || inChannelsLast || outChannelsLast) {
            throw new IllegalStateException("batch norm with a fused ReLU, an L1 penalty on gamma or channels-last "
                    + "data needs rank-4 "
                    + "NCHW float input, got rank " + x.rank() + " " + format + " " + x.dataType());
        }
        return null;
    }

    /** Zeroes the gradient wherever the forward pass's ReLU cut its output ({@code a * x + shift <= 0}). */
    private static void mask(float[] dy, float[] x, float a, float shift) {
        for (int k = 0; k < dy.length; k++) {
            // branch-free: keep dy where the forward output was positive (a random sign mispredicts half the time)
            int bits = Float.floatToRawIntBits(x[k] * a + shift);
            dy[k] = Float.intBitsToFloat(Float.floatToRawIntBits(dy[k]) & ((-bits & ~bits) >> 31));
        }
    }

    private static boolean supported(INDArray x, CNN2DFormat format) {
        return format == CNN2DFormat.NCHW && NchwBlocks.usable(x);
    }

    /** One block of x and of the incoming gradient, masked by the fused ReLU when there is one. */
    private void readGradient(NchwBlocks x, NchwBlocks dy, int image, int channel, float[] xs, float[] dys,
                              float a, float shift) {
        x.read(image, channel, xs);
        dy.read(image, channel, dys);
        if (fusedRelu) {
            mask(dys, xs, a, shift);
        }
    }

    private static float[] floats(INDArray a, int c) {
        float[] f = new float[c];
        for (int i = 0; i < c; i++) {
            f[i] = a.getFloat(i);
        }
        return f;
    }

    private static void write(INDArray view, float[] values) {
        for (int i = 0; i < values.length; i++) {
            view.putScalar(i, values[i]);
        }
    }

    /** A detached float vector holding {@code values}, reusing {@code old} when it has the right length. */
    private static INDArray cache(INDArray old, float[] values) {
        if (old == null || old.length() != values.length) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                old = Nd4j.createUninitialized(DataType.FLOAT, values.length);
            }
        }
        FloatBuffer b = old.data().asNioFloat();
        b.put(b.position(), values, 0, values.length);
        return old;
    }

    // The reductions keep four independent partial sums: one sum would wait on each addition's latency.

    private static float sum(float[] a) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int k = 0;
        for (; k + 3 < a.length; k += 4) {
            s0 += a[k];
            s1 += a[k + 1];
            s2 += a[k + 2];
            s3 += a[k + 3];
        }
        for (; k < a.length; k++) {
            s0 += a[k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private static float squaredDeviation(float[] a, float mu) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int k = 0;
        for (; k + 3 < a.length; k += 4) {
            float d0 = a[k] - mu;
            float d1 = a[k + 1] - mu;
            float d2 = a[k + 2] - mu;
            float d3 = a[k + 3] - mu;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; k < a.length; k++) {
            float d = a[k] - mu;
            s0 += d * d;
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** The sum of {@code g[k] * (x[k] - mu)}. */
    private static float dot(float[] g, float[] x, float mu) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int k = 0;
        for (; k + 3 < g.length; k += 4) {
            s0 += g[k] * (x[k] - mu);
            s1 += g[k + 1] * (x[k + 1] - mu);
            s2 += g[k + 2] * (x[k + 2] - mu);
            s3 += g[k + 3] * (x[k + 3] - mu);
        }
        for (; k < g.length; k++) {
            s0 += g[k] * (x[k] - mu);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
