package io.netslim.prune.layers;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Depthwise-separable convolution (Xception): depthwise W [multiplier, in, kh, kw], pointwise pW
 * [out, in x multiplier, 1, 1] whose input channels run input-channel-major (channel c's multiplier copies
 * are c*m ... c*m+m-1), bias [out].
 */
final class SeparableConvolutionPruner extends ConvolutionPruner {
    @Override
    public INDArray slice(LayerVertex vertex, String key, INDArray param, long[] out, long[] in) {
        SeparableConvolution2D conv = (SeparableConvolution2D) vertex.getLayerConf().getLayer();
        return switch (key) {
            case "W" -> Slices.select(param, 1, in);
            case "pW" -> Slices.select(Slices.select(param, 0, out), 1, expand(in, conv.getDepthMultiplier()));
            default -> Slices.selectLast(param, out);
        };
    }

    private static long[] expand(long[] in, int multiplier) {
        if (in == null) {
            return null;
        }
        long[] rows = new long[in.length * multiplier];
        for (int i = 0; i < in.length; i++) {
            for (int m = 0; m < multiplier; m++) {
                rows[i * multiplier + m] = in[i] * multiplier + m;
            }
        }
        return rows;
    }
}
