package io.netslim.cpu;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;

/**
 * A dense NCHW float array seen as N x C blocks of H x W contiguous values, one per image and channel: how
 * {@link JavaBatchNormHelper} walks a channel's values without ND4J's strided reductions.
 */
final class NchwBlocks {
    final int images;
    final int channels;
    final int blockSize;
    private final FloatBuffer data;
    private final int base;

    private NchwBlocks(INDArray dense) {
        this.images = (int) dense.size(0);
        this.channels = (int) dense.size(1);
        this.blockSize = (int) (dense.size(2) * dense.size(3));
        this.data = dense.data().asNioFloat();
        this.base = data.position();
    }

    /** True for rank-4 float arrays small enough for int offsets. */
    static boolean usable(INDArray a) {
        return a.rank() == 4 && a.dataType() == DataType.FLOAT && a.length() < Integer.MAX_VALUE;
    }

    /** Over {@code a} itself when it is a dense C-order array of its own, else over a C-order copy of it. */
    static NchwBlocks of(INDArray a) {
        return new NchwBlocks(ChannelsLastArrays.isDense(a) ? a : a.dup('c'));
    }

    /** Over {@code out} itself, to write into it: it must be a dense C-order array of its own. */
    static NchwBlocks writableOver(INDArray out) {
        if (!ChannelsLastArrays.isDense(out)) {
            throw new IllegalStateException("expected a dense C-order array to write into, got "
                    + out.shapeInfoToString());
        }
        return new NchwBlocks(out);
    }


    /** Copies the block of {@code image} and {@code channel} into {@code dst}. */
    void read(int image, int channel, float[] dst) {
        data.get(offset(image, channel), dst, 0, blockSize);
    }

    /** Copies {@code src} into the block of {@code image} and {@code channel}. */
    void write(int image, int channel, float[] src) {
        data.put(offset(image, channel), src, 0, blockSize);
    }

    private int offset(int image, int channel) {
        return base + (image * channels + channel) * blockSize;
    }
}
