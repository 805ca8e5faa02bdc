package io.netslim.model.layers;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * DL4J's activation layer with plain ReLU done in Java, one pass each way.
 *
 * <p>Why: for training, DL4J M2.1 copies the input before applying ReLU in place, and copies it again in
 * backprop before libnd4j's relu_bp (about 1.5 ms per call on a 64 x 16 x 28 x 28 batch): 9.6% of a ResNet-20
 * step. Here the forward pass writes max(x, 0) straight into the output and backprop writes
 * {@code x > 0 ? dy : 0}; when the batch norm before it applies the ReLU, it passes data through both ways.
 * Any other activation, dropout or data type takes DL4J's own path.
 */
public class FastActivationLayer extends ActivationLayer {
    public FastActivationLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr mgr) {
        if (inputFused()) {
            assertInputSet(false);
            return mgr.leverageTo(ArrayType.ACTIVATIONS, input);
        }
        if (!plainRelu(input)) {
            return super.activate(training, mgr);
        }
        INDArray in = Floats.contiguous(input);
        INDArray out = mgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, in.shape(), 'c');
        FloatBuffer x = Floats.of(in);
        FloatBuffer y = Floats.of(out);
        int xBase = x.position();
        int yBase = y.position();
        long n = in.length();
        Floats.forEachChunk(n, chunk -> {
            int from = chunk * Floats.CHUNK;
            int len = (int) Math.min(Floats.CHUNK, n - from);
            float[] v = new float[len];
            x.get(xBase + from, v, 0, len);
            for (int k = 0; k < len; k++) {
                v[k] = Math.max(v[k], 0f);
            }
            y.put(yBase + from, v, 0, len);
        });
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr mgr) {
        if (inputFused()) {
            return new Pair<>(new DefaultGradient(), mgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon));
        }
        if (!plainRelu(input) || !Floats.usable(epsilon)) {
            return super.backpropGradient(epsilon, mgr);
        }
        assertInputSet(true);
        INDArray in = Floats.contiguous(input);
        INDArray eps = Floats.contiguous(epsilon);
        INDArray dx = mgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, in.shape(), 'c');
        FloatBuffer x = Floats.of(in);
        FloatBuffer dy = Floats.of(eps);
        FloatBuffer out = Floats.of(dx);
        int xBase = x.position();
        int dyBase = dy.position();
        int outBase = out.position();
        long n = in.length();
        Floats.forEachChunk(n, chunk -> {
            int from = chunk * Floats.CHUNK;
            int len = (int) Math.min(Floats.CHUNK, n - from);
            float[] xs = new float[len];
            float[] g = new float[len];
            x.get(xBase + from, xs, 0, len);
            dy.get(dyBase + from, g, 0, len);
            for (int k = 0; k < len; k++) {
                // branch-free x > 0 ? dy : 0 (the sign of x is random: a branch mispredicts half the time);
                // mask is all ones exactly when x's bits, read as an int, are positive (x > +0)
                int b = Float.floatToRawIntBits(xs[k]);
                g[k] = Float.intBitsToFloat(Float.floatToRawIntBits(g[k]) & ((-b & ~b) >> 31));
            }
            out.put(outBase + from, g, 0, len);
        });
        return new Pair<>(new DefaultGradient(), dx);
    }

    private boolean inputFused() {
        return layerConf() instanceof FastActivation f && f.isInputFused();
    }

    private boolean plainRelu(INDArray in) {
        return in != null && Floats.usable(in) && layerConf() instanceof FastActivation f && f.isPlainRelu();
    }
}
