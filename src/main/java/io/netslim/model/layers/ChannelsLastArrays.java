package io.netslim.model.layers;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * Moves values between NCHW and channels-last order within arrays of NCHW shape (see {@link ChannelsLast}), and
 * exposes a dense array's values to the Java kernels.
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
            dst.assign(DnnlConvolution.dense(src).reshape('c', n, h, w, c).permute(0, 3, 1, 2));
        } else {
            INDArray rows = dst.reshape('c', n, h, w, c);
            if (DnnlConvolution.address(rows) != DnnlConvolution.address(dst)) {
                throw new IllegalStateException("expected a dense array to write into, got " + dst.shapeInfoToString());
            }
            rows.assign(src.permute(0, 2, 3, 1));
        }
    }

    /** The values of a dense C-order float array, from its first element. */
    static FloatBuffer floats(INDArray dense) {
        return dense.data().asNioFloat();
    }
}
