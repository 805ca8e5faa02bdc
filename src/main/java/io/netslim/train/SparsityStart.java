package io.netslim.train;

import io.netslim.sparsity.PenalisedGamma;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the worker-scaling rule reads of a network built for sparsity training: the L1 coefficient on its BN
 * gammas (whichever kernels carry it) and where the gammas start.
 */
final class SparsityStart {
    private SparsityStart() {
    }

    /** The L1 coefficient on gamma of {@code conf}'s batch norms (0 when none carries the penalty). */
    static double lambdaOf(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex)
                .mapToDouble(v -> lambdaOf(((LayerVertex) v).getLayerConf().getLayer()))
                .filter(l -> l > 0).findFirst().orElse(0);
    }

    private static double lambdaOf(Layer layer) {
        return layer instanceof PenalisedGamma p ? p.l1OnGamma() : 0;
    }

    /** The mean |gamma| of {@code net}'s batch norms (NaN when it has none). */
    static double meanAbsGamma(ComputationGraph net) {
        double sum = 0;
        long n = 0;
        for (var layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                INDArray g = layer.getParam("gamma");
                sum += g.castTo(DataType.DOUBLE).norm1Number().doubleValue();
                n += g.length();
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
