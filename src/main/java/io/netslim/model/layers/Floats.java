package io.netslim.model.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.FloatBuffer;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Direct access to the float data of ND4J arrays, and parallel loops, for the training-time layers' Java kernels. */
final class Floats {
    /** Elements per parallel task of the element-wise kernels. */
    static final int CHUNK = 1 << 15;

    private Floats() {
    }

    /** True for float arrays that a Java kernel can index with int offsets. */
    static boolean usable(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.length() < Integer.MAX_VALUE;
    }

    /** {@code a} itself when it is a dense C-order array of its own, else a C-order copy. */
    static INDArray contiguous(INDArray a) {
        return a.ordering() == 'c' && !a.isView() && Shape.hasDefaultStridesForShape(a) ? a : a.dup('c');
    }

    /** The data of a contiguous array; element i of the array is at {@code position() + i}. */
    static FloatBuffer of(INDArray contiguous) {
        return contiguous.data().asNioFloat();
    }

    /** Runs {@code chunk} for every chunk index of an array of {@code length} elements, in parallel. */
    static void forEachChunk(long length, IntConsumer chunk) {
        int chunks = (int) ((length + CHUNK - 1) / CHUNK);
        IntStream.range(0, chunks).parallel().forEach(chunk);
    }
}
