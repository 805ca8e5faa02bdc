package io.netslim.export;

import org.deeplearning4j.nn.conf.ConvolutionMode;

/** ONNX {@code pads} {top, left, bottom, right} of a DL4J convolution or pooling window. */
final class Padding {
    private Padding() {
    }

    /**
     * Same mode pads so that out = ceil(in / stride), the odd pixel at the bottom and right (ONNX's SAME_UPPER,
     * as libnd4j computes it); Truncate and Strict pad symmetrically by the configured amount.
     */
    static long[] of(Vertex v, ConvolutionMode mode, long[] in, int[] kernel, int[] stride, int[] dilation,
                     int[] padding) {
        if (mode == ConvolutionMode.Same) {
            long[] pads = new long[4];
            for (int d = 0; d < 2; d++) {
                long out = (in[d] + stride[d] - 1) / stride[d];
                long effective = kernel[d] + (long) (kernel[d] - 1) * (dilation[d] - 1);
                long total = Math.max(0, (out - 1) * stride[d] + effective - in[d]);
                pads[d] = total / 2;
                pads[d + 2] = total - total / 2;
            }
            return pads;
        }
        if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
            return new long[] {padding[0], padding[1], padding[0], padding[1]};
        }
        throw v.unsupported("uses convolution mode " + mode + " (the exporter converts Same, Truncate and Strict)");
    }

    static long[] longs(int[] a) {
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }
}
