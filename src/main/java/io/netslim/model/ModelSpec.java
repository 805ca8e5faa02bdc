package io.netslim.model;

import java.util.Arrays;

/** What to build: architecture, depth, classes, input shape (channels, height, width) and BN gamma init. */
public record ModelSpec(String arch, int depth, int classes, long[] inputShape, double gammaInit) {
    public ModelSpec {
        if (inputShape.length != 3) {
            throw new IllegalArgumentException("input shape must be {channels, height, width}: "
                    + Arrays.toString(inputShape));
        }
    }

    public long channels() {
        return inputShape[0];
    }

    public long height() {
        return inputShape[1];
    }

    public long width() {
        return inputShape[2];
    }
}
