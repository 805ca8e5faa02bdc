package io.netslim.cpu;

import io.netslim.runtime.ThreadBudget;

import java.nio.FloatBuffer;

/**
 * The batch-norm kernels of {@link JavaBatchNormHelper} for channels-last data: N x H x W rows of C contiguous
 * channel values.
 *
 * <p>Every kernel is a flat loop over a tile of whole rows, with the per-channel constants repeated to the tile's
 * length and per-channel sums kept per tile position, so that the JIT vectorises it whatever C is; the tile
 * positions are folded into channels once per task. Tasks run in parallel over row ranges.
 */
final class ChannelsLastBatchNorm {
    /** Floats per tile (rounded down to whole rows). */
    private static final int TILE = 4096;
    /** y * BIG clamped to [0, 1] is 1 for every positive float y above 1e-30 and 0 for the others. */
    private static final float BIG = 1e30f;

    private final FloatBuffer x;
    private final int rows;
    private final int channels;
    private final int tileRows;

    /** Over the values of {@code x}: {@code rows} rows of {@code channels} floats each, starting at its position. */
    ChannelsLastBatchNorm(FloatBuffer x, int rows, int channels) {
        this.x = x;
        this.rows = rows;
        this.channels = channels;
        this.tileRows = Math.max(1, TILE / channels);
    }

    /** Per-channel mean and (biased) variance, into {@code mean} and {@code var}. */
    void statistics(float[] mean, float[] var) {
        double[] sums = reduce(null, 1, (xs, dys, n, acc) -> {
            for (int i = 0; i < n; i++) {
                acc[i] += xs[i];
            }
        });
        for (int k = 0; k < channels; k++) {
            mean[k] = (float) (sums[k] / rows);
        }
        float[] mu = tile(mean);
        double[] sq = reduce(null, 1, (xs, dys, n, acc) -> {
            for (int i = 0; i < n; i++) {
                float d = xs[i] - mu[i];
                acc[i] += d * d;
            }
        });
        for (int k = 0; k < channels; k++) {
            var[k] = (float) (sq[k] / rows);
        }
    }

    /** out = x * a + s per channel (then max(., 0) when {@code relu}), into {@code out}'s rows. */
    void normalize(float[] a, float[] s, boolean relu, FloatBuffer out) {
        float[] at = tile(a);
        float[] st = tile(s);
        map(null, out, (xs, dys, n) -> {
            if (relu) {
                for (int i = 0; i < n; i++) {
                    xs[i] = Math.max(xs[i] * at[i] + st[i], 0f);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    xs[i] = xs[i] * at[i] + st[i];
                }
            }
            return xs;
        });
    }

    /**
     * The sums of the backward pass: per channel, sum(dy) in the first {@code channels} values and
     * sum(dy * (x - mean)) in the next, with dy masked where the fused ReLU cut the forward output
     * ({@code a * x + shift <= 0}) when {@code relu}.
     */
    double[] gradientSums(FloatBuffer dy, float[] mean, float[] a, float[] shift, boolean relu) {
        float[] mu = tile(mean);
        float[] at = tile(a);
        float[] st = tile(shift);
        int half = tileRows * channels;
        return reduce(dy, 2, (xs, dys, n, acc) -> {
            if (relu) {
                mask(xs, dys, at, st, n);
            }
            for (int i = 0; i < n; i++) {
                acc[i] += dys[i];
            }
            for (int i = 0; i < n; i++) {
                acc[half + i] += dys[i] * (xs[i] - mu[i]);
            }
        });
    }

    /** dx = k1 * dy + k2 * x + k3 per channel into {@code dx}, dy masked as in {@link #gradientSums}. */
    void inputGradient(FloatBuffer dy, float[] a, float[] shift, boolean relu, float[] k1, float[] k2, float[] k3,
                       FloatBuffer dx) {
        float[] at = tile(a);
        float[] st = tile(shift);
        float[] t1 = tile(k1);
        float[] t2 = tile(k2);
        float[] t3 = tile(k3);
        map(dy, dx, (xs, dys, n) -> {
            if (relu) {
                mask(xs, dys, at, st, n);
            }
            for (int i = 0; i < n; i++) {
                dys[i] = t1[i] * dys[i] + t2[i] * xs[i] + t3[i];
            }
            return dys;
        });
    }

    /**
     * Zeroes dy where the fused ReLU cut the forward output (a * x + shift <= 0), branch-free. A loop of its own:
     * folded into the loops that use dy, the JIT no longer vectorises them.
     */
    private static void mask(float[] xs, float[] dys, float[] at, float[] st, int n) {
        for (int i = 0; i < n; i++) {
            dys[i] *= Math.min(Math.max((xs[i] * at[i] + st[i]) * BIG, 0f), 1f);
        }
    }

    /** Per-channel values repeated over a tile. */
    private float[] tile(float[] perChannel) {
        float[] t = new float[tileRows * channels];
        for (int r = 0; r < tileRows; r++) {
            System.arraycopy(perChannel, 0, t, r * channels, channels);
        }
        return t;
    }

    /** A kernel over the first n values of a tile of x (and of dy), adding into per-position sums. */
    private interface TileSum {
        void apply(float[] xs, float[] dys, int n, float[] acc);
    }

    /** A kernel over the first n values of a tile of x (and of dy), returning the tile to write. */
    private interface TileMap {
        float[] apply(float[] xs, float[] dys, int n);
    }

    private int tiles() {
        return (rows + tileRows - 1) / tileRows;
    }

    /** Parallel tasks: two per core the calling thread may use, each a contiguous range of tiles. */
    private int tasks() {
        return Math.max(1, Math.min(tiles(), 2 * ThreadBudget.threads()));
    }

    /** Runs {@code body} for every tile, the tiles of one task in order, tasks in parallel. */
    private void forEachTile(IntTileBody body) {
        int tiles = tiles();
        int tasks = tasks();
        ThreadBudget.range(0, tasks).forEach(t -> {
            TileBuffers buffers = new TileBuffers(tileRows * channels);
            for (int tile = t * tiles / tasks, end = (t + 1) * tiles / tasks; tile < end; tile++) {
                int r0 = tile * tileRows;
                body.apply(t, r0, Math.min(tileRows, rows - r0), buffers);
            }
        });
    }

    private interface IntTileBody {
        void apply(int task, int rowStart, int rowCount, TileBuffers buffers);
    }

    /** One task's tile arrays. */
    private static final class TileBuffers {
        final float[] xs;
        final float[] dys;

        TileBuffers(int size) {
            xs = new float[size];
            dys = new float[size];
        }
    }

    /** Sums of {@code kernel} over all rows, folded into {@code width} x channels values. */
    private double[] reduce(FloatBuffer dy, int width, TileSum kernel) {
        int size = tileRows * channels;
        float[][] acc = new float[tasks()][width * size];
        forEachTile((t, r0, n, b) -> {
            read(x, r0, n, b.xs);
            if (dy != null) {
                read(dy, r0, n, b.dys);
            }
            kernel.apply(b.xs, b.dys, n * channels, acc[t]);
        });
        double[] sums = new double[width * channels];
        for (float[] a : acc) {
            for (int w = 0; w < width; w++) {
                for (int r = 0; r < tileRows; r++) {
                    for (int k = 0, o = w * size + r * channels; k < channels; k++) {
                        sums[w * channels + k] += a[o + k];
                    }
                }
            }
        }
        return sums;
    }

    private void map(FloatBuffer dy, FloatBuffer out, TileMap kernel) {
        forEachTile((t, r0, n, b) -> {
            read(x, r0, n, b.xs);
            if (dy != null) {
                read(dy, r0, n, b.dys);
            }
            out.put(out.position() + r0 * channels, kernel.apply(b.xs, b.dys, n * channels), 0, n * channels);
        });
    }

    private void read(FloatBuffer from, int rowStart, int rowCount, float[] to) {
        from.get(from.position() + rowStart * channels, to, 0, rowCount * channels);
    }
}
