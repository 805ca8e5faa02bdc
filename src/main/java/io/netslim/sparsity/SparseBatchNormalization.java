package io.netslim.sparsity;

import io.netslim.model.layers.FastBatchNormalization;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;

/**
 * BatchNormalization whose scale factor gamma carries the Network Slimming L1 penalty.
 *
 * <p>Stock DL4J (M2/M2.1) returns no regularisation for any BN parameter, so {@code .l1()} on a BN layer
 * is silently ignored. This subclass has its parent's Java batch norm add lambda * sign(gamma) to gamma's
 * gradient (the paper's sub-gradient, what DL4J's L1 regularisation would add before the SGD step, at a third
 * of the cost), and returns the weight decay (as L2, like PyTorch's SGD weight_decay) for gamma and beta. The
 * loss DL4J reports therefore leaves out lambda * sum |gamma|. It exists only during sparsity training:
 * {@link SparsityPenalty#strip} turns it back into a stock layer before saving.
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

    @Override
    protected double gammaL1() {
        return lambda;
    }

    public double getWeightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        if (("gamma".equals(paramName) || "beta".equals(paramName)) && weightDecay > 0) {
            return List.of(new L2Regularization(weightDecay));
        }
        return null;
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
