package io.netslim.model.layers;

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
import java.util.stream.IntStream;

/**
 * Batch normalisation of NCHW float activations, forward and backward, in plain Java, one channel per task.
 *
 * <p>Why: in DL4J M2.1 the oneDNN batch-norm backward runs oneDNN's kernel with fixed statistics and then adds
 * the mean and variance terms with nine libnd4j broadcast and reduction ops over the strided (N, H, W) axes; it
 * took 17% of a ResNet-20 training step, more than a third of a convolution. Each channel's N x H x W values are
 * contiguous blocks in NCHW, small enough to stay in cache between two passes, so two passes per channel
 * (statistics, then the output) do the whole job. With {@code fusedRelu} it also applies the ReLU of the layer
 * after it (forward: max(y, 0); backward: the gradient masked where the recomputed y was not positive). For
 * anything but rank-4 NCHW float input with trainable gamma and beta it returns null, so that DL4J uses its own
 * code, or throws when a ReLU is fused or gamma carries the sparsity penalty (DL4J's code would drop them).
 * The penalty lambda * sign(gamma) goes straight into gamma's gradient: DL4J's own L1 regularisation costs
 * three ND4J ops per batch norm and step and splits its updater blocks (about 3% of a ResNet-20 step).
 */
public final class JavaBatchNormHelper implements BatchNormalizationHelper {
    private final boolean fusedRelu;
    private final double gammaL1;
    private final boolean gradientDividedByBatch;
    private INDArray meanCache;
    private INDArray varCache;

    /**
     * @param fusedRelu also apply max(y, 0) forward and its mask backward (the next layer passes through)
     * @param gammaL1 add gammaL1 * sign(gamma) to gamma's gradient (the sparsity penalty), 0 for none
     * @param gradientDividedByBatch DL4J will divide the gradient by the minibatch size (its miniBatch setting):
     *                               the penalty is multiplied by it here, so that it arrives undivided
     */
    public JavaBatchNormHelper(boolean fusedRelu, double gammaL1, boolean gradientDividedByBatch) {
        this.fusedRelu = fusedRelu;
        this.gammaL1 = gammaL1;
        this.gradientDividedByBatch = gradientDividedByBatch;
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
        NchwBlocks in = NchwBlocks.of(x);
        int n = in.images;
        int c = in.channels;
        int hw = in.blockSize;
        float[] g = floats(gamma, c);
        float[] b = floats(beta, c);
        float[] m = training ? new float[c] : floats(mean, c);
        float[] v = training ? new float[c] : floats(var, c);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, x.shape(), 'c');
        NchwBlocks o = NchwBlocks.writableOver(out);
        IntStream.range(0, c).parallel().forEach(ch -> {
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
        if (training) {
            meanCache = cache(meanCache, m);
            varCache = cache(varCache, v);
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray epsilon, long[] shape, INDArray gamma,
                                                     INDArray beta, INDArray dGammaView, INDArray dBetaView,
                                                     double eps, CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        if (!supported(input, format) || gamma == null || meanCache == null || dGammaView == null) {
            return unsupported(input, format);
        }
        NchwBlocks xb = NchwBlocks.of(input);
        NchwBlocks dyb = NchwBlocks.of(epsilon.castTo(DataType.FLOAT));
        int n = xb.images;
        int c = xb.channels;
        int hw = xb.blockSize;
        double count = (double) n * hw;
        double penalty = gradientDividedByBatch ? gammaL1 * n : gammaL1;
        float[] g = floats(gamma, c);
        float[] b = floats(beta, c);
        float[] m = floats(meanCache, c);
        float[] v = floats(varCache, c);
        float[] dGamma = new float[c];
        float[] dBeta = new float[c];
        INDArray dx = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        NchwBlocks dxb = NchwBlocks.writableOver(dx);
        IntStream.range(0, c).parallel().forEach(ch -> {
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
            double invStd = 1.0 / Math.sqrt(v[ch] + eps);
            dBeta[ch] = (float) sumDy;
            dGamma[ch] = (float) (sumDyXmu * invStd + penalty * Math.signum(g[ch]));
            // dx = gamma * invStd * (dy - mean(dy) - (x - mu) * invStd^2 * mean(dy * (x - mu)))
            float k1 = (float) (g[ch] * invStd);
            float k2 = (float) (-g[ch] * invStd * invStd * invStd * sumDyXmu / count);
            float k3 = (float) (-g[ch] * invStd * sumDy / count - k2 * (double) mu);
            for (int i = 0; i < n; i++) {
                readGradient(xb, dyb, i, ch, xs, dys, a, shift);
                for (int k = 0; k < hw; k++) {
                    dys[k] = k1 * dys[k] + k2 * xs[k] + k3;
                }
                dxb.write(i, ch, dys);
            }
        });
        write(dGammaView, dGamma);
        write(dBetaView, dBeta);
        Gradient grad = new DefaultGradient();
        grad.setGradientFor(BatchNormalizationParamInitializer.GAMMA, dGammaView);
        grad.setGradientFor(BatchNormalizationParamInitializer.BETA, dBetaView);
        return new Pair<>(grad, dx);
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
        if (fusedRelu || gammaL1 > 0) {
            throw new IllegalStateException("batch norm with a fused ReLU or an L1 penalty on gamma needs rank-4 "
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
