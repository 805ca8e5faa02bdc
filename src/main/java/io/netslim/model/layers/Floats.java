package io.netslim.model.layers;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.nio.FloatBuffer;

/** Direct access to the float data of ND4J arrays for the Java kernels of the training-time batch norm. */
final class Floats {
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
}
