package io.netslim.train;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the worker-scaling rule reads of a network built for sparsity training besides its L1 coefficient
 * ({@link TrainingNetworks#lambdaOf}): where the gammas start.
 */
final class SparsityStart {
    private SparsityStart() {
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
