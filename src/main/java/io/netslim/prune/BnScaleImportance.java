package io.netslim.prune;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Network Slimming's criterion: a channel matters as much as the |gamma| of its BatchNorm; in a coupled group
 * as much as the sum of its BatchNorms' |gamma| (Torch-Pruning's group importance, summed).
 */
public final class BnScaleImportance implements Importance {
    @Override
    public double[] score(ComputationGraph graph, ChannelGroup group) {
        double[] sum = new double[group.channels()];
        for (String bn : group.batchNorms()) {
            INDArray gamma = graph.getLayer(bn).getParam("gamma");
            if (gamma == null) {
                throw new IllegalStateException("BatchNorm " + bn + " has no gamma (locked gamma/beta?)");
            }
            double[] g = gamma.castTo(DataType.DOUBLE).toDoubleVector();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += Math.abs(g[i]);
            }
        }
        return sum;
    }
}
