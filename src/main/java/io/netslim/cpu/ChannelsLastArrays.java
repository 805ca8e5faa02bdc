package io.netslim.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.FloatBuffer;

/**
 * Moves values between NCHW and channels-last order within arrays of NCHW shape (see {@link ChannelsLast}), and
 * gives the Java and oneDNN kernels dense float arrays, their values and their addresses.
 */
final class ChannelsLastArrays {
    private ChannelsLastArrays() {
    }

    /** Writes {@code src}'s values into dense {@code dst} (same shape) in the other of the two orders. */
    static void convert(INDArray src, boolean srcChannelsLast, INDArray dst) {
        long n = src.size(0);
        long c = src.size(1);
        long h = src.size(2);
        long w = src.size(3);
        if (srcChannelsLast) {
            dst.assign(dense(src).reshape('c', n, h, w, c).permute(0, 3, 1, 2));
        } else {
            INDArray rows = dst.reshape('c', n, h, w, c);
            if (address(rows) != address(dst)) {
                throw new IllegalStateException("expected a dense array to write into, got " + dst.shapeInfoToString());
            }
            rows.assign(src.permute(0, 2, 3, 1));
        }
    }

    /** The values of a dense C-order float array, from its first element. */
    static FloatBuffer floats(INDArray dense) {
        return dense.data().asNioFloat();
    }

    /** True for a C-order array of its own (not a view) with default strides. */
    static boolean isDense(INDArray a) {
        return a.ordering() == 'c' && !a.isView() && Shape.hasDefaultStridesForShape(a);
    }

    /** {@code a} itself when it is a dense float array, else a dense float copy. */
    static INDArray dense(INDArray a) {
        return isDense(a) && a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT).dup('c');
    }

    /** The address of a dense array's first element. */
    static long address(INDArray dense) {
        FloatPointer p = new FloatPointer(floats(dense));
        return p.address() + p.position() * Float.BYTES;
    }
}
