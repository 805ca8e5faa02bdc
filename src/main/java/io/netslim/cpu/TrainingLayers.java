package io.netslim.cpu;

import io.netslim.model.layers.LayerSwap;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Swaps stock convolution, batch-norm and activation layers for their faster training-time versions
 * ({@link FastConvolution}, {@link FastBatchNormalization}, {@link FastActivation}), fuses each ReLU into the
 * batch norm that feeds only it, and keeps activations channels-last where every reader can take them
 * ({@link ChannelsLast}). Same parameters, same maths; saved models use stock layers only (the training network's
 * way back, {@code io.netslim.train.TrainingNetworks#stock}, undoes all of it).
 */
public final class TrainingLayers {
    private TrainingLayers() {
    }

    /**
     * A copy of {@code conf} with the training-time layers in place of stock convolutions, batch norms and
     * activation layers, each ReLU fused into the batch norm that feeds only it.
     */
    public static ComputationGraphConfiguration apply(ComputationGraphConfiguration conf) {
        ComputationGraphConfiguration fast = LayerSwap.replace(conf, layer -> {
            if (layer.getClass() == ConvolutionLayer.class) {
                return LayerSwap.copyFields(layer, new FastConvolution(), ConvolutionLayer.class);
            }
            if (layer.getClass() == BatchNormalization.class) {
                return LayerSwap.copyFields(layer, new FastBatchNormalization(), BatchNormalization.class);
            }
            if (layer.getClass() == ActivationLayer.class) {
                return LayerSwap.copyFields(layer, new FastActivation(), ActivationLayer.class);
            }
            return layer;
        });
        fuseRelus(fast);
        ChannelsLast.plan(fast);
        return fast;
    }

    /**
     * Marks every NCHW batch norm whose output goes to one plain ReLU and nowhere else: the batch norm applies
     * the ReLU (and its derivative) in its own two passes, the ReLU layer passes data through.
     */
    private static void fuseRelus(ComputationGraphConfiguration conf) {
        Map<String, Integer> readers = new HashMap<>();
        conf.getVertexInputs().values().forEach(ins -> ins.forEach(in -> readers.merge(in, 1, Integer::sum)));
        conf.getNetworkOutputs().forEach(out -> readers.merge(out, 1, Integer::sum));
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            FastActivation relu = layer(conf, e.getKey(), FastActivation.class);
            if (relu == null || !relu.isPlainRelu() || e.getValue().size() != 1) {
                continue;
            }
            String source = e.getValue().get(0);
            FastBatchNormalization bn = layer(conf, source, FastBatchNormalization.class);
            if (bn != null && readers.getOrDefault(source, 0) == 1 && bn.getCnn2DFormat() == CNN2DFormat.NCHW
                    && !bn.isLockGammaBeta()) {
                bn.setFusedRelu(true);
                relu.setInputFused(true);
            }
        }
    }

    private static <T> T layer(ComputationGraphConfiguration conf, String vertex, Class<T> type) {
        return conf.getVertices().get(vertex) instanceof LayerVertex lv
                && type.isInstance(lv.getLayerConf().getLayer()) ? type.cast(lv.getLayerConf().getLayer()) : null;
    }

    /**
     * A training-time twin of {@code stock} that shares its parameter array: fitting the twin trains
     * {@code stock} in place.
     */
    public static ComputationGraph twin(ComputationGraph stock) {
        ComputationGraph fast = new ComputationGraph(apply(stock.getConfiguration()));
        fast.init(stock.params(), false);
        return fast;
    }
}
