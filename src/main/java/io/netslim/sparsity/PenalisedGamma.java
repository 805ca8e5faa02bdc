package io.netslim.sparsity;

/**
 * A batch norm that carries the sparsity penalty's L1 coefficient on gamma, whichever kernels train it, so that
 * training can read the penalty without knowing the layer class.
 */
public interface PenalisedGamma {
    /** The L1 coefficient on gamma, 0 for none. */
    double l1OnGamma();
}
