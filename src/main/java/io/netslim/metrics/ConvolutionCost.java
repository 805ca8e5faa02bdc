package io.netslim.metrics;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

/** 2D convolution: 2 x kh x kw x in x out multiply-adds per output pixel. */
final class ConvolutionCost implements LayerCost {
    @Override
    public String kind() {
        return "conv";
    }

    @Override
    public long flops(Layer layer, InputType out) {
        ConvolutionLayer conv = (ConvolutionLayer) layer;
        InputType.InputTypeConvolutional o = (InputType.InputTypeConvolutional) out;
        int[] k = conv.getKernelSize() == null ? new int[] {1, 1} : conv.getKernelSize();
        return 2L * k[0] * k[1] * conv.getNIn() * conv.getNOut() * o.getHeight() * o.getWidth();
    }
}
