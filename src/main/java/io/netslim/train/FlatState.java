package io.netslim.train;

import org.bytedeco.javacpp.BytePointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What parameter averaging moves, as one flat vector of the network's floating-point type: its parameters, then
 * its updater state, then one element for the score of the minibatch trained last. Elements are copied in bulk
 * between ND4J's host memory and byte arrays in this machine's byte order (one JNI copy per range; on a GPU
 * backend the device buffer is brought to the host first and marked changed after a write), and cut into
 * {@link #slices} contiguous ranges for the sharded sum.
 */
final class FlatState implements Serializable {
    private static final long serialVersionUID = 1L;

    final long params;
    final long updater;
    final int width;
    final boolean doubles;

    private FlatState(long params, long updater, int width, boolean doubles) {
        this.params = params;
        this.updater = updater;
        this.width = width;
        this.doubles = doubles;
    }

    /** The layout of {@code net}'s state (its updater created if it had none yet). */
    static FlatState of(ComputationGraph net) {
        DataType type = net.params().dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("parameter averaging supports float and double networks, not " + type);
        }
        INDArray state = updaterState(net);
        return new FlatState(net.params().length(), state == null ? 0 : state.length(), type.width(),
                type == DataType.DOUBLE);
    }

    /** Elements: parameters, updater state, the score. */
    long length() {
        return params + updater + 1;
    }

    long bytes() {
        return length() * width;
    }

    /** The first element of slice {@code j} of {@code slices} (slice j ends where j + 1 starts). */
    long sliceStart(int j, int slices) {
        return length() * j / slices;
    }

    int sliceLength(int j, int slices) {
        return Math.toIntExact(sliceStart(j + 1, slices) - sliceStart(j, slices));
    }

    /** Whether {@code net} has this layout (same element counts and type). */
    boolean fits(ComputationGraph net) {
        INDArray state = updaterState(net);
        return net.params().length() == params && (state == null ? 0 : state.length()) == updater
                && net.params().dataType().width() == width;
    }

    /** Elements [from, from + n) of {@code net}'s state, the score taken from {@code score}. */
    byte[] read(ComputationGraph net, long from, int n, double score) {
        byte[] out = new byte[Math.multiplyExact(n, width)];
        copy(net, from, n, out, true);
        if (from + n == length()) {
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
            if (doubles) {
                b.putDouble(out.length - width, score);
            } else {
                b.putFloat(out.length - width, (float) score);
            }
        }
        return out;
    }

    /** Writes {@code bytes} (elements from {@code from} on) into {@code net}'s parameters and updater state. */
    void write(ComputationGraph net, long from, byte[] bytes) {
        copy(net, from, bytes.length / width, bytes, false);
    }

    /** The score element of the slice that ends the state ({@code bytes}), NaN when it is another slice. */
    double scoreOf(long from, byte[] bytes) {
        if (from + bytes.length / width != length()) {
            return Double.NaN;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        return doubles ? b.getDouble(bytes.length - width) : b.getFloat(bytes.length - width);
    }

    private void copy(ComputationGraph net, long from, int n, byte[] bytes, boolean toBytes) {
        long end = from + n;
        int at = 0;
        // parameters, then updater state; the score element is nobody's memory
        long[][] segments = {{0, params}, {params, params + updater}};
        INDArray[] arrays = {net.params(), updater > 0 ? updaterState(net) : null};
        for (int s = 0; s < 2; s++) {
            long lo = Math.max(from, segments[s][0]);
            long hi = Math.min(end, segments[s][1]);
            if (lo >= hi) {
                continue;
            }
            INDArray array = arrays[s];
            long offset = (lo - segments[s][0]) * width;
            int len = Math.toIntExact((hi - lo) * width);
            AffinityManager affinity = Nd4j.getAffinityManager();
            affinity.ensureLocation(array, AffinityManager.Location.HOST);
            BytePointer host = new BytePointer(array.data().addressPointer());
            host.position(offset);
            if (toBytes) {
                host.get(bytes, at, len);
            } else {
                host.put(bytes, at, len);
                affinity.tagLocation(array, AffinityManager.Location.HOST);
            }
            at += len;
        }
    }

    private static INDArray updaterState(ComputationGraph net) {
        ComputationGraphUpdater u = net.getUpdater(true);
        return u == null ? null : u.getStateViewArray();
    }

    /** The element-wise mean of {@code parts} (null entries took no part), summed in index order. */
    byte[] mean(byte[][] parts) {
        int count = 0;
        int len = -1;
        for (byte[] p : parts) {
            if (p != null) {
                count++;
                len = p.length;
            }
        }
        if (count == 0) {
            throw new IllegalStateException("no contribution to average");
        }
        int n = len / width;
        byte[] out = new byte[len];
        ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        if (doubles) {
            double[] acc = null;
            double[] x = new double[n];
            for (byte[] p : parts) {
                if (p == null) {
                    continue;
                }
                if (acc == null) {
                    acc = new double[n];
                    ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).asDoubleBuffer().get(acc);
                    continue;
                }
                ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).asDoubleBuffer().get(x);
                for (int e = 0; e < n; e++) {
                    acc[e] += x[e];
                }
            }
            for (int e = 0; e < n; e++) {
                acc[e] /= count;
            }
            o.asDoubleBuffer().put(acc);
        } else {
            float[] acc = null;
            float[] x = new float[n];
            for (byte[] p : parts) {
                if (p == null) {
                    continue;
                }
                if (acc == null) {
                    acc = new float[n];
                    ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).asFloatBuffer().get(acc);
                    continue;
                }
                ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).asFloatBuffer().get(x);
                for (int e = 0; e < n; e++) {
                    acc[e] += x[e];
                }
            }
            float c = count;
            for (int e = 0; e < n; e++) {
                acc[e] /= c;
            }
            o.asFloatBuffer().put(acc);
        }
        return out;
    }
}
