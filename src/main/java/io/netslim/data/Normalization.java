package io.netslim.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Per-channel standardisation of pixels already scaled to [0, 1]: (x - mean[c]) / std[c]. Applied to every
 * minibatch on the executors and on the driver alike, after augmentation (so crop padding becomes -mean/std,
 * as with torchvision's Normalize after RandomCrop).
 */
public record Normalization(float[] mean, float[] std) implements Serializable {
    /** Pixels stay in [0, 1]. */
    public static final Normalization NONE = new Normalization(new float[0], new float[0]);

    public Normalization {
        if (mean.length != std.length) {
            throw new IllegalArgumentException(mean.length + " means for " + std.length + " standard deviations");
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("standard deviation " + s + ", expected > 0");
            }
        }
    }

    public boolean isNone() {
        return mean.length == 0;
    }

    /** Standardises one CHW image of {@code features} starting at {@code offset}, in place. */
    public void apply(float[] features, int offset, int channels, int height, int width) {
        if (isNone()) {
            return;
        }
        if (channels != mean.length) {
            throw new IllegalArgumentException("normalization for " + mean.length + " channels, images have " + channels);
        }
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            float m = mean[c];
            float inv = 1f / std[c];
            int base = offset + c * plane;
            for (int k = 0; k < plane; k++) {
                features[base + k] = (features[base + k] - m) * inv;
            }
        }
    }

    @Override
    public String toString() {
        return isNone() ? "none" : "mean " + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }
}
