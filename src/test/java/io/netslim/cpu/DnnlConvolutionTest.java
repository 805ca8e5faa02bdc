package io.netslim.cpu;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** oneDNN's convolution through javacpp computes libnd4j's conv2d, forward and backward, in every layout pair. */
class DnnlConvolutionTest {
    @ParameterizedTest
    @CsvSource({
            "false,false,3,16,3,1,12", "false,true,3,16,3,1,12", "true,false,16,16,3,1,12", "true,true,16,16,3,1,12",
            "true,true,16,32,3,2,12", "true,true,16,32,1,2,12", "false,true,11,13,3,1,7", "true,true,16,32,3,2,7", "false,true,64,128,3,1,6"})
    void matchesLibnd4j(boolean inLast, boolean outLast, int cin, int cout, int k, int stride, int size) {
        Nd4j.getRandom().setSeed(cin * 31L + cout + k + stride);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, cin, size, size);
        INDArray w = Nd4j.randn(DataType.FLOAT, cout, cin, k, k).muli(0.1);
        // libnd4j's conv2d and conv2d_bp, 'same' padding, NCHW, OIHW weights (what DL4J's layers run)
        int[] args = {k, k, stride, stride, 0, 0, 1, 1, 1, 0, 1};
        int out = (size + stride - 1) / stride;
        INDArray y = Nd4j.createUninitialized(DataType.FLOAT, 4, cout, out, out);
        Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(x, w).addOutputs(y).addIntegerArguments(args).build());
        INDArray dy = Nd4j.randn(DataType.FLOAT, y.shape());
        INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        INDArray dw = Nd4j.createUninitialized(DataType.FLOAT, w.shape());
        Nd4j.exec(DynamicCustomOp.builder("conv2d_bp").addInputs(x, w, dy).addOutputs(dx, dw)
                .addIntegerArguments(args).build());

        DnnlConvolution conv = new DnnlConvolution(new int[]{k, k}, new int[]{stride, stride}, new int[]{0, 0}, true,
                inLast, outLast);
        assertArrayEquals(y.shape(), conv.outputShape(x.shape(), w.shape()));
        INDArray yOut = Nd4j.createUninitialized(DataType.FLOAT, y.shape());
        conv.forward(in(x, inLast), w, yOut);
        assertClose("output", y, out(yOut, outLast));
        INDArray dxOut = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
        INDArray dwOut = Nd4j.createUninitialized(DataType.FLOAT, w.shape());
        conv.backward(in(x, inLast), w, in(dy, outLast), dxOut, dwOut);
        assertClose("input gradient", dx, out(dxOut, inLast));
        assertClose("weight gradient", dw, dwOut);
    }

    /** {@code a} as the layer receives it: NHWC values in an array of NCHW shape when channels-last. */
    private static INDArray in(INDArray a, boolean channelsLast) {
        if (!channelsLast) {
            return a.dup('c');
        }
        INDArray r = Nd4j.createUninitialized(DataType.FLOAT, a.shape());
        ChannelsLastArrays.convert(a, false, r);
        return r;
    }

    /** Back to plain NCHW. */
    private static INDArray out(INDArray a, boolean channelsLast) {
        if (!channelsLast) {
            return a;
        }
        INDArray r = Nd4j.createUninitialized(DataType.FLOAT, a.shape());
        ChannelsLastArrays.convert(a, true, r);
        return r;
    }

    private static void assertClose(String what, INDArray expected, INDArray actual) {
        double scale = expected.norm2Number().doubleValue();
        double diff = expected.sub(actual).norm2Number().doubleValue();
        assertTrue(diff <= 1e-5 * scale, what + ": |expected - actual| = " + diff + " vs " + scale);
    }
}
