package io.netslim.metrics;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;

/**
 * Depthwise-separable convolution (Xception), listed as a conv: per output pixel, the depthwise kh x kw pass over
 * in x multiplier channels and the pointwise pass from those to out.
 */
final class SeparableConvolutionCost implements LayerCost {
    @Override
    public String kind() {
        return "conv";
    }

    @Override
    public long flops(Layer layer, InputType out) {
        SeparableConvolution2D conv = (SeparableConvolution2D) layer;
        InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) out;
        int[] k = conv.getKernelSize();
        long spatial = o.getHeight() * o.getWidth();
        long depthwise = conv.getNIn() * conv.getDepthMultiplier();
        return 2L * spatial * depthwise * (k[0] * k[1] + conv.getNOut());
    }
}
