package io.netslim.data;

import java.io.Serializable;
import java.util.Random;

/** Random crop (zero padding then crop back) and horizontal flip of one CHW image, in place. */
public record Augmentation(boolean flip, int cropPadding) implements Serializable {
    /** No augmentation (evaluation). */
    public static final Augmentation NONE = new Augmentation(false, 0);

    /** Augments {@code img} (channels x height x width, row-major) with draws from {@code rnd}. */
    public void apply(float[] img, int offset, int channels, int height, int width, float[] scratch, Random rnd) {
        int dy = cropPadding > 0 ? rnd.nextInt(2 * cropPadding + 1) - cropPadding : 0;
        int dx = cropPadding > 0 ? rnd.nextInt(2 * cropPadding + 1) - cropPadding : 0;
        boolean mirror = flip && rnd.nextBoolean();
        if (dx == 0 && dy == 0 && !mirror) {
            return;
        }
        int plane = height * width;
        for (int c = 0; c < channels; c++) {
            int base = offset + c * plane;
            System.arraycopy(img, base, scratch, 0, plane);
            for (int y = 0; y < height; y++) {
                int sy = y + dy;
                for (int x = 0; x < width; x++) {
                    int sx = (mirror ? width - 1 - x : x) + dx;
                    boolean inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
                    img[base + y * width + x] = inside ? scratch[sy * width + sx] : 0f;
                }
            }
        }
    }
}
