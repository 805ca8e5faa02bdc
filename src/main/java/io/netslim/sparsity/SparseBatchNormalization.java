package io.netslim.sparsity;

import org.nd4j.shade.jackson.annotation.JsonIgnoreProperties;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import io.netslim.model.layers.LayerSwap;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.List;

/**
 * BatchNormalization whose scale factor gamma carries the Network Slimming L1 penalty, through DL4J's own
 * regularisation: it runs as DL4J's stock batch norm on any ND4J backend (ND4J's CUDA kernels on a GPU).
 *
 * <p>Stock DL4J (M2/M2.1) returns no regularisation for any BN parameter, so {@code .l1()} on a BN layer is
 * silently ignored. This subclass returns its {@link L1Penalty}'s regularisation with the L1 term: DL4J's
 * updater then adds lambda * sign(gamma) to the gradient before the SGD step (the paper's sub-gradient) and decays
 * gamma and beta. The loss DL4J reports includes lambda * sum |gamma|. It exists only during training: the way back
 * to stock ({@code io.netslim.train.TrainingNetworks#stock}) turns it into a stock layer before saving. Unknown
 * properties are ignored so that checkpoints of earlier netslim versions, whose class of this name carried CPU
 * kernel flags, still read.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public class SparseBatchNormalization extends BatchNormalization implements PenalisedGamma {
    private double lambda;
    private double weightDecay;

    /** For JSON deserialisation (Spark ships the configuration to the executors as JSON). */
    public SparseBatchNormalization() {
    }

    /** {@code bn}'s configuration (every field kept) carrying {@code penalty}. */
    public static SparseBatchNormalization carrying(BatchNormalization bn, L1Penalty penalty) {
        SparseBatchNormalization sparse = LayerSwap.copyFields(bn, new SparseBatchNormalization(),
                BatchNormalization.class);
        sparse.setLambda(penalty.lambda());
        sparse.setWeightDecay(penalty.weightDecay());
        return sparse;
    }

    /** The L1 coefficient on gamma. */
    public double getLambda() {
        return lambda;
    }

    public void setLambda(double lambda) {
        this.lambda = lambda;
    }

    @Override
    public L1Penalty penalty() {
        return new L1Penalty(lambda, weightDecay);
    }

    /** The L2 coefficient on gamma and beta. */
    public double getWeightDecay() {
        return weightDecay;
    }

    public void setWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
    }

    @Override
    public List<Regularization> getRegularizationByParam(String paramName) {
        return penalty().regularization(paramName, true);
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
