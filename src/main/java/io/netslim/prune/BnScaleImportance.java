package io.netslim.prune;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Network Slimming's criterion: a channel matters as much as the |gamma| of its BatchNorm. */
public final class BnScaleImportance implements Importance {
    @Override
    public double[] score(ComputationGraph graph, ChannelGroup group) {
        INDArray gamma = graph.getLayer(group.batchNorm()).getParam("gamma");
        if (gamma == null) {
            throw new IllegalStateException("BatchNorm " + group.batchNorm() + " has no gamma (locked gamma/beta?)");
        }
        double[] g = gamma.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).toDoubleVector();
        for (int i = 0; i < g.length; i++) {
            g[i] = Math.abs(g[i]);
        }
        return g;
    }
}
