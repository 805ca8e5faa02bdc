package io.netslim.sparsity;

import io.netslim.model.layers.FastBatchNormalization;
import org.nd4j.linalg.learning.regularization.L1Regularization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;

/**
 * BatchNormalization whose scale factor gamma carries the Network Slimming L1 penalty.
 *
 * <p>Stock DL4J (M2/M2.1) returns no regularisation for any BN parameter, so {@code .l1()} on a BN layer
 * is silently ignored. This subclass returns {@code L1(lambda)} for gamma, so DL4J's updater adds
 * lambda * sign(gamma) to gamma's gradient before the SGD step (the paper's sub-gradient), plus the
 * weight decay (as L2, like PyTorch's SGD weight_decay) on gamma and beta. It exists only during
 * sparsity training (with the faster training-time batch norm of its parent): {@link SparsityPenalty#strip}
 * turns it back into a stock layer before saving.
 */
public class SparseBatchNormalization extends FastBatchNormalization {
    private double lambda;
    private double weightDecay;

    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public SparseBatchNormalization() {
    }

    public double getLambda() {
        return lambda;
    }

    public void setLambda(double lambda) {
        this.lambda = lambda;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        List<Regularization> out = new ArrayList<>(2);
        if ("gamma".equals(paramName) && lambda > 0) {
            out.add(new L1Regularization(lambda));
        }
        if (("gamma".equals(paramName) || "beta".equals(paramName)) && weightDecay > 0) {
            out.add(new L2Regularization(weightDecay));
        }
        return out.isEmpty() ? null : out;
    }

    @Override
    public SparseBatchNormalization clone() {
        return (SparseBatchNormalization) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && o instanceof SparseBatchNormalization other
                && other.lambda == lambda && other.weightDecay == weightDecay;
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Double.hashCode(lambda) + 7 * Double.hashCode(weightDecay);
    }
}
