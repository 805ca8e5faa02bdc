package io.netslim.sparsity;

import io.netslim.model.layers.LayerSwap;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;

/**
 * The Network Slimming penalty on a batch norm, defined once for every layer class that trains with it: L1
 * ({@code lambda}) on gamma, whose sub-gradient lambda * sign(gamma) goes into gamma's gradient before the SGD step,
 * and weight decay as L2 on gamma and beta (DL4J's own batch norm regularises neither; PyTorch's SGD weight_decay
 * does). DL4J's updater can apply both ({@link #regularization} with the L1 term, the portable route), or a batch
 * norm adds the L1 sub-gradient itself ({@link #subgradient}) and leaves DL4J only the L2 (the CPU route).
 *
 * @param lambda      the L1 coefficient on gamma, 0 for none
 * @param weightDecay the L2 coefficient on gamma and beta, 0 for none
 */
public record L1Penalty(double lambda, double weightDecay) {
    /** No L1 and no weight decay. */
    public static final L1Penalty NONE = new L1Penalty(0, 0);

    /** True when gamma carries an L1 term. */
    public boolean onGamma() {
        return lambda > 0;
    }

    /** True when there is neither an L1 term nor weight decay. */
    public boolean isNone() {
        return lambda == 0 && weightDecay == 0;
    }

    /**
     * DL4J's regularisation of the batch norm parameter {@code param} ("gamma", "beta"): L1(lambda) on gamma when
     * {@code withL1} (else the layer adds the sub-gradient itself), L2(weightDecay) on gamma and beta; null for none,
     * as DL4J expects.
     */
    public List<Regularization> regularization(String param, boolean withL1) {
        List<Regularization> r = new ArrayList<>(2);
        if (withL1 && "gamma".equals(param) && lambda > 0) {
            r.add(new L1Regularization(lambda));
        }
        if (("gamma".equals(param) || "beta".equals(param)) && weightDecay > 0) {
            r.add(new L2Regularization(weightDecay));
        }
        return r.isEmpty() ? null : r;
    }

    /**
     * The coefficient of sign(gamma) to add to gamma's gradient for a minibatch of {@code minibatch} examples:
     * lambda, times the minibatch size when DL4J divides the gradient by it afterwards (its miniBatch setting), so
     * that the penalty arrives undivided, as DL4J's own L1 regularisation (applied after that division) would.
     */
    public double gradientCoefficient(long minibatch, boolean gradientDividedByBatch) {
        return gradientDividedByBatch ? lambda * minibatch : lambda;
    }

    /** The L1 sub-gradient for one gamma: {@code coefficient} ({@link #gradientCoefficient}) times sign(gamma). */
    public static double subgradient(double coefficient, float gamma) {
        return coefficient * Math.signum(gamma);
    }

    /** A copy of {@code conf} in which every batch norm (stock or carrying a penalty already) carries this one. */
    public ComputationGraphConfiguration onEveryBatchNorm(ComputationGraphConfiguration conf) {
        return LayerSwap.replace(conf, layer -> layer instanceof BatchNormalization bn
                ? SparseBatchNormalization.carrying(bn, this) : layer);
    }

    /**
     * A copy of {@code conf} in which every stock batch norm carries this penalty (layers that carry one already
     * keep theirs); {@code conf} unchanged when there is none ({@link #isNone}).
     */
    public ComputationGraphConfiguration onStockBatchNorms(ComputationGraphConfiguration conf) {
        return LayerSwap.replace(conf, layer -> layer.getClass() != BatchNormalization.class || isNone() ? layer
                : SparseBatchNormalization.carrying((BatchNormalization) layer, this));
    }
}
