package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.params.SeparableConvolutionParamInitializer;

/**
 * DL4J's depthwise-separable convolution (Xception) as two ONNX Convs: the depthwise one (group = input channels,
 * depth multiplier m filters each, no bias) with the layer's kernel, stride, dilation and padding, then the 1x1
 * pointwise one with the bias, then the activation. Depthwise output channel c * m + k is filter k of channel c.
 */
final class SeparableConvolutionConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        SeparableConvolution2D c = (SeparableConvolution2D) v.conf();
        v.requireNchw(c.getCnn2dDataFormat());
        long[] dw = v.shape(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY); // [m, C, kH, kW]
        long m = dw[0];
        long channels = dw[1];
        long kernel = dw[2] * dw[3];
        float[] depthwise = v.floats(SeparableConvolutionParamInitializer.DEPTH_WISE_WEIGHT_KEY);
        float[] grouped = new float[depthwise.length];
        for (int k = 0; k < m; k++) {
            for (int ch = 0; ch < channels; ch++) {
                System.arraycopy(depthwise, (int) ((k * channels + ch) * kernel), grouped,
                        (int) ((ch * m + k) * kernel), (int) kernel);
            }
        }
        long[] pads = Padding.of(v, c.getConvolutionMode(), v.spatialInput(0), c.getKernelSize(), c.getStride(),
                c.getDilation(), c.getPadding());
        String depth = v.name() + "/depthwise";
        g.node("Conv", depth, v.input(0), g.weight(v.name() + ".depthwise", grouped, channels * m, 1, dw[2], dw[3]))
                .addAttribute(OnnxGraph.ints("kernel_shape", dw[2], dw[3]))
                .addAttribute(OnnxGraph.ints("strides", Padding.longs(c.getStride())))
                .addAttribute(OnnxGraph.ints("dilations", Padding.longs(c.getDilation())))
                .addAttribute(OnnxGraph.ints("pads", pads))
                .addAttribute(OnnxGraph.integer("group", channels));
        long[] pw = v.shape(SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY); // [out, C * m, 1, 1]
        String weight = g.weight(v.name() + ".pointwise", v.floats(SeparableConvolutionParamInitializer.POINT_WISE_WEIGHT_KEY), pw);
        String[] inputs = c.hasBias()
                ? new String[] {depth, weight, g.weight(v.name() + ".bias",
                        v.floats(SeparableConvolutionParamInitializer.BIAS_KEY), pw[0])}
                : new String[] {depth, weight};
        String out = Activations.preActivation(v, c.getActivationFn());
        g.node("Conv", out, inputs)
                .addAttribute(OnnxGraph.ints("kernel_shape", 1, 1))
                .addAttribute(OnnxGraph.integer("group", 1));
        return Activations.apply(g, v, c.getActivationFn(), out);
    }
}
