package io.netslim.sparsity;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Adds the L1 penalty on BN gamma to a network configuration for sparsity training, and removes it again. */
public final class SparsityPenalty {
    private SparsityPenalty() {
    }

    /** A copy of {@code conf} in which every BatchNormalization carries L1(lambda) on gamma. */
    public static ComputationGraphConfiguration apply(ComputationGraphConfiguration conf, double lambda,
                                                      double weightDecay) {
        return replaceBatchNorms(conf, bn -> {
            SparseBatchNormalization sparse = new SparseBatchNormalization();
            copyFields(bn, sparse);
            sparse.setLambda(lambda);
            sparse.setWeightDecay(weightDecay);
            return sparse;
        });
    }

    /** A copy of {@code conf} with stock DL4J BatchNormalization layers only. */
    public static ComputationGraphConfiguration strip(ComputationGraphConfiguration conf) {
        return replaceBatchNorms(conf, bn -> {
            if (!(bn instanceof SparseBatchNormalization)) {
                return bn;
            }
            BatchNormalization stock = new BatchNormalization();
            copyFields(bn, stock);
            return stock;
        });
    }

    /** The same network with stock layers only, sharing no state with {@code graph}. */
    public static ComputationGraph strip(ComputationGraph graph) {
        ComputationGraph stock = new ComputationGraph(strip(graph.getConfiguration()));
        stock.init(graph.params().dup(), false);
        return stock;
    }

    /** True when some layer of {@code conf} carries the penalty. */
    public static boolean isApplied(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream().anyMatch(v -> v instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof SparseBatchNormalization);
    }

    private static ComputationGraphConfiguration replaceBatchNorms(ComputationGraphConfiguration conf,
                                                                   UnaryOperator<BatchNormalization> swap) {
        ComputationGraphConfiguration copy = conf.clone();
        for (Map.Entry<String, GraphVertex> e : copy.getVertices().entrySet()) {
            if (e.getValue() instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                if (layer instanceof BatchNormalization bn) {
                    lv.getLayerConf().setLayer(swap.apply(bn));
                }
            }
        }
        return copy;
    }

    /** Copies every field declared by BatchNormalization and its superclasses (not a subclass's own). */
    private static void copyFields(BatchNormalization from, BatchNormalization to) {
        for (Class<?> c = BatchNormalization.class; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    f.set(to, f.get(from));
                } catch (IllegalAccessException ex) {
                    throw new IllegalStateException("cannot copy BatchNormalization field " + f.getName(), ex);
                }
            }
        }
    }
}
