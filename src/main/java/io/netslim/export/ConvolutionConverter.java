package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;

/** DL4J's 2-D convolution (weights OIHW, optional bias, then its activation) as ONNX Conv. */
final class ConvolutionConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        ConvolutionLayer c = (ConvolutionLayer) v.conf();
        v.requireNchw(c.getCnn2dDataFormat());
        long[] shape = v.shape("W");
        String weight = g.weight(v.name() + ".weight", v.floats("W"), shape);
        String[] inputs = c.hasBias()
                ? new String[] {v.input(0), weight, g.weight(v.name() + ".bias", v.floats("b"), shape[0])}
                : new String[] {v.input(0), weight};
        long[] pads = Padding.of(v, c.getConvolutionMode(), v.spatialInput(0), c.getKernelSize(), c.getStride(),
                c.getDilation(), c.getPadding());
        g.node("Conv", Activations.preActivation(v, c.getActivationFn()), inputs)
                .addAttribute(OnnxGraph.ints("kernel_shape", Padding.longs(c.getKernelSize())))
                .addAttribute(OnnxGraph.ints("strides", Padding.longs(c.getStride())))
                .addAttribute(OnnxGraph.ints("dilations", Padding.longs(c.getDilation())))
                .addAttribute(OnnxGraph.ints("pads", pads))
                .addAttribute(OnnxGraph.integer("group", 1));
        return Activations.apply(g, v, c.getActivationFn(), Activations.preActivation(v, c.getActivationFn()));
    }
}
