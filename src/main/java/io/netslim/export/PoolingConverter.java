package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import java.util.Arrays;

/** DL4J's 2-D max, average or p-norm pooling as ONNX MaxPool, AveragePool or LpPool. */
final class PoolingConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        SubsamplingLayer s = (SubsamplingLayer) v.conf();
        v.requireNchw(s.getCnn2dDataFormat());
        int[] dilation = s.getDilation() == null ? new int[] {1, 1} : s.getDilation();
        long[] pads = Padding.of(v, s.getConvolutionMode(), v.spatialInput(0), s.getKernelSize(), s.getStride(),
                dilation, s.getPadding(), s.getPoolingType() == org.deeplearning4j.nn.conf.layers.PoolingType.MAX);
        String out = v.name();
        var node = switch (s.getPoolingType()) {
            case MAX -> g.node("MaxPool", out, v.input(0))
                    .addAttribute(OnnxGraph.ints("dilations", Padding.longs(dilation)));
            case AVG -> {
                if (Arrays.stream(dilation).anyMatch(d -> d != 1)) {
                    throw v.unsupported("is a dilated average pooling (ONNX AveragePool has no dilation before opset 19)");
                }
                yield g.node("AveragePool", out, v.input(0))
                        .addAttribute(OnnxGraph.integer("count_include_pad", s.isAvgPoolIncludePadInDivisor() ? 1 : 0));
            }
            case PNORM -> {
                if (Arrays.stream(dilation).anyMatch(d -> d != 1)) {
                    throw v.unsupported("is a dilated p-norm pooling (ONNX LpPool has no dilation before opset 18)");
                }
                // (sum over the window of |x|^p)^(1/p); padding adds zeros, as in libnd4j
                yield g.node("LpPool", out, v.input(0)).addAttribute(OnnxGraph.integer("p", s.getPnorm()));
            }
            default -> throw v.unsupported("uses pooling type " + s.getPoolingType() + " (MAX, AVG and PNORM convert)");
        };
        node.addAttribute(OnnxGraph.ints("kernel_shape", Padding.longs(s.getKernelSize())))
                .addAttribute(OnnxGraph.ints("strides", Padding.longs(s.getStride())))
                .addAttribute(OnnxGraph.ints("pads", pads));
        return out;
    }
}
