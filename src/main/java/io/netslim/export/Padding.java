package io.netslim.export;

import org.deeplearning4j.nn.conf.ConvolutionMode;

/** ONNX {@code pads} {top, left, bottom, right} of a DL4J convolution or pooling window. */
final class Padding {
    private Padding() {
    }

    /**
     * Same mode pads so that out = ceil(in / stride), the odd pixel at the bottom and right (ONNX's SAME_UPPER,
     * as libnd4j computes it); Truncate and Strict pad symmetrically by the configured amount. A window whose
     * output size DL4J computes otherwise than ONNX would is refused.
     */
    static long[] of(Vertex v, ConvolutionMode mode, long[] in, int[] kernel, int[] stride, int[] dilation,
                     int[] padding) {
        return of(v, mode, in, kernel, stride, dilation, padding, false);
    }

    /**
     * As {@link #of(Vertex, ConvolutionMode, long[], int[], int[], int[], int[])}; with {@code padEnds} (max
     * pooling, where ONNX pads with -inf) a Truncate window larger than its input is padded at the bottom and right
     * until it fits, giving DL4J's one output pixel; otherwise such a window is refused.
     */
    static long[] of(Vertex v, ConvolutionMode mode, long[] in, int[] kernel, int[] stride, int[] dilation,
                     int[] padding, boolean padEnds) {
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
            long[] pads = {padding[0], padding[1], padding[0], padding[1]};
            for (int d = 0; d < 2; d++) {
                long effective = kernel[d] + (long) (kernel[d] - 1) * (dilation[d] - 1);
                long span = in[d] + 2L * padding[d] - effective;
                // DL4J and libnd4j divide with truncation: a window larger than its (padded) input still gives one
                // output pixel (ResNet50's last pooling at 96x96: 3x3 over 2x2), ONNX's floor gives none
                long dl4j = span / stride[d] + 1;
                if (span < 0 && dl4j == 1 && padEnds) {
                    pads[d + 2] -= span; // a max over the pixels there are, as libnd4j takes it
                    span = 0;
                }
                if (Math.floorDiv(span, stride[d]) + 1 != dl4j) {
                    throw v.unsupported("has a " + effective + "-pixel window over a " + in[d] + "-pixel input (padded by "
                            + padding[d] + "): DL4J computes " + dl4j + " output pixels, ONNX would compute "
                            + (Math.floorDiv(span, stride[d]) + 1) + "; use a larger model.input-shape");
                }
            }
            return pads;
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
