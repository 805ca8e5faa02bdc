package io.netslim.prune.layers;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Dense and output layers: W [in, out], bias [out]. Reading a flattened image (DL4J's
 * {@link CnnToFeedForwardPreProcessor}, as VGG's classifier does), each input channel is height x width rows
 * of W, in the preprocessor's flattening order.
 */
final class DensePruner implements LayerPruner {
    @Override
    public Role role() {
        return Role.CUTS;
    }

    @Override
    public String refusal(LayerVertex vertex) {
        InputPreProcessor pre = vertex.getPreProcessor();
        if (pre != null && !(pre instanceof CnnToFeedForwardPreProcessor)) {
            return "its input preprocessor " + pre.getClass().getSimpleName() + " is not supported";
        }
        return null;
    }

    @Override
    public String outputRefusal(LayerVertex vertex) {
        return ((FeedForwardLayer) vertex.getLayerConf().getLayer()).getActivationFn() instanceof ActivationSoftmax
                ? "its softmax activation mixes channels" : null;
    }

    @Override
    public void setChannels(LayerVertex vertex, long in, long out) {
        FeedForwardLayer ff = (FeedForwardLayer) vertex.getLayerConf().getLayer();
        if (in >= 0) {
            if (vertex.getPreProcessor() instanceof CnnToFeedForwardPreProcessor flat) {
                flat.setNumChannels(in);
                ff.setNIn(in * flat.getInputHeight() * flat.getInputWidth());
            } else {
                ff.setNIn(in);
            }
        }
        if (out >= 0) {
            ff.setNOut(out);
        }
    }

    @Override
    public INDArray slice(LayerVertex vertex, String key, INDArray param, long[] out, long[] in) {
        if (!"W".equals(key)) {
            return Slices.selectLast(param, out);
        }
        long[] rows = in;
        if (in != null && vertex.getPreProcessor() instanceof CnnToFeedForwardPreProcessor flat) {
            rows = flattenedRows(in, flat);
        }
        return Slices.select(Slices.select(param, 0, rows), 1, out);
    }

    /** The rows of W that channels {@code kept} become after flattening. */
    private static long[] flattenedRows(long[] kept, CnnToFeedForwardPreProcessor flat) {
        long hw = flat.getInputHeight() * flat.getInputWidth();
        long channels = flat.getNumChannels();
        long[] rows = new long[Math.toIntExact(kept.length * hw)];
        int r = 0;
        if (flat.getFormat() == CNN2DFormat.NHWC) {
            for (long p = 0; p < hw; p++) {
                for (long c : kept) {
                    rows[r++] = p * channels + c;
                }
            }
        } else {
            for (long c : kept) {
                for (long p = 0; p < hw; p++) {
                    rows[r++] = c * hw + p;
                }
            }
        }
        return rows;
    }
}
