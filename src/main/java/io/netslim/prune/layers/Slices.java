package io.netslim.prune.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Picks kept entries of a parameter array along one axis. */
public final class Slices {
    private Slices() {
    }

    /** The entries of {@code a} at positions {@code keep} along {@code axis} (all of {@code a} when null). */
    public static INDArray select(INDArray a, int axis, long[] keep) {
        if (keep == null) {
            return a;
        }
        long[] shape = a.shape();
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        double[] src = a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[] dst = new double[Math.toIntExact(outer * keep.length * inner)];
        int d = 0;
        for (long o = 0; o < outer; o++) {
            for (long k : keep) {
                long base = (o * shape[axis] + k) * inner;
                for (long i = 0; i < inner; i++) {
                    dst[d++] = src[(int) (base + i)];
                }
            }
        }
        long[] newShape = shape.clone();
        newShape[axis] = keep.length;
        return Nd4j.create(dst, newShape, 'c').castTo(a.dataType());
    }

    /** The last axis of {@code a}: where DL4J keeps one value per output channel (biases, BN vectors). */
    public static INDArray selectLast(INDArray a, long[] keep) {
        return select(a, a.rank() - 1, keep);
    }
}
