package io.netslim.metrics;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;

/** BatchNorm: gamma and beta per channel are trainable (none when locked); running mean and variance are not. */
final class BatchNormCost implements LayerCost {
    @Override
    public String kind() {
        return "bn";
    }

    @Override
    public long params(Layer layer) {
        BatchNormalization bn = (BatchNormalization) layer;
        return bn.isLockGammaBeta() ? 0 : 2 * bn.getNOut();
    }
}
