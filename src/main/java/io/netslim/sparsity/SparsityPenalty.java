package io.netslim.sparsity;

import io.netslim.model.layers.LayerSwap;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Adds the L1 penalty on BN gamma to a network configuration for sparsity training, in DL4J's own terms
 * ({@link SparseBatchNormalization}), and removes it again (with any other training-time layer).
 */
public final class SparsityPenalty {
    private SparsityPenalty() {
    }

    /** A copy of {@code conf} in which every BatchNormalization carries L1(lambda) on gamma. */
    public static ComputationGraphConfiguration apply(ComputationGraphConfiguration conf, double lambda,
                                                      double weightDecay) {
        return LayerSwap.replace(conf, layer -> {
            if (!(layer instanceof BatchNormalization bn)) {
                return layer;
            }
            SparseBatchNormalization sparse = LayerSwap.copyFields(bn, new SparseBatchNormalization(),
                    BatchNormalization.class);
            sparse.setLambda(lambda);
            sparse.setWeightDecay(weightDecay);
            return sparse;
        });
    }

    /**
     * A copy of {@code conf} in which every stock BatchNormalization decays gamma and beta by {@code weightDecay}
     * (DL4J's own BN regularises neither) without an L1 term: fine-tuning's BN, as sparsity training's.
     */
    public static ComputationGraphConfiguration withBatchNormDecay(ComputationGraphConfiguration conf,
                                                                   double weightDecay) {
        return LayerSwap.replace(conf, layer -> {
            if (layer.getClass() != BatchNormalization.class || weightDecay == 0) {
                return layer;
            }
            SparseBatchNormalization decayed = LayerSwap.copyFields((BatchNormalization) layer,
                    new SparseBatchNormalization(), BatchNormalization.class);
            decayed.setWeightDecay(weightDecay);
            return decayed;
        });
    }

    /**
     * A copy of {@code conf} with stock DL4J layers and updaters only (penalty and training-time layers alike;
     * plain momentum as DL4J's Nesterov updater), so that plain DL4J loads the saved model.
     */
    public static ComputationGraphConfiguration strip(ComputationGraphConfiguration conf) {
        return LayerSwap.replace(conf, LayerSwap::stock);
    }

    /** The same network with stock layers only, sharing no state with {@code graph}. */
    public static ComputationGraph strip(ComputationGraph graph) {
        ComputationGraph stock = new ComputationGraph(strip(graph.getConfiguration()));
        stock.init(graph.params().dup(), false);
        return stock;
    }

    /** True when some layer of {@code conf} carries the penalty as DL4J regularisation of gamma. */
    public static boolean isApplied(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream().anyMatch(v -> v instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof SparseBatchNormalization s && s.getLambda() > 0);
    }
}
