package io.netslim.sparsity;

/**
 * A batch norm that carries the sparsity penalty ({@link L1Penalty}), whichever kernels train it, so that
 * training can read the penalty without knowing the layer class.
 */
public interface PenalisedGamma {
    /** The penalty this layer trains with ({@link L1Penalty#NONE} for none). */
    L1Penalty penalty();
}
