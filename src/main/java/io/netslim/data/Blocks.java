package io.netslim.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * How the records [0, count) of a split group into blocks: the unit that the epoch's random order moves.
 * A block's records are read together (one seek, one shard); blocks are dealt out to the workers at random.
 * Records that are files of their own (folder) are blocks of one; fixed-size records (IDX, CIFAR) use blocks
 * of one too unless a worker's share would then need more than {@link #PER_SLOT} seeks; shards are blocks.
 */
public final class Blocks implements Serializable {
    /**
     * A slot's share (one worker's records of an epoch chunk, one fine-tuning chunk) is at least this many
     * blocks: on data stored class by class a block holds one class, so a share's class mix is a sample of
     * this many draws (standard deviation of a 10% class share: 0.23 percentage points). Blocks grow only
     * where a share is bigger still, so that no worker seeks more than this many times per chunk.
     */
    public static final int PER_SLOT = 16_384;

    private final int count;
    private final int size;
    private final int[] bounds;

    private Blocks(int count, int size, int[] bounds) {
        this.count = count;
        this.size = size;
        this.bounds = bounds;
    }

    /** [0, count) in blocks of {@code size} records (the last may be shorter). */
    public static Blocks uniform(int count, int size) {
        if (count < 0 || size < 1) {
            throw new IllegalArgumentException("blocks of " + size + " over " + count + " records");
        }
        return new Blocks(count, size, null);
    }

    /** Blocks of one record unless each of {@code slots} shares would then hold more than {@link #PER_SLOT}. */
    public static Blocks forSlots(int count, int slots) {
        return uniform(count, Math.max(1, count / Math.max(1, slots) / PER_SLOT));
    }

    /** Blocks [bounds[i], bounds[i+1]): strictly increasing from 0; the last bound is the record count. */
    public static Blocks bounded(int[] bounds) {
        if (bounds.length < 1 || bounds[0] != 0) {
            throw new IllegalArgumentException("block bounds " + Arrays.toString(bounds) + " do not start at 0");
        }
        for (int i = 1; i < bounds.length; i++) {
            if (bounds[i] <= bounds[i - 1]) {
                throw new IllegalArgumentException("block bounds " + Arrays.toString(bounds) + " not increasing");
            }
        }
        return new Blocks(bounds[bounds.length - 1], 0, bounds.clone());
    }

    /** Records in all blocks. */
    public int count() {
        return count;
    }

    /** Number of blocks. */
    public int blocks() {
        return bounds != null ? bounds.length - 1 : (count + size - 1) / size;
    }

    /** First record of block {@code b}. */
    public int start(int b) {
        return bounds != null ? bounds[b] : b * size;
    }

    /** One past the last record of block {@code b}. */
    public int end(int b) {
        return bounds != null ? bounds[b + 1] : (int) Math.min((long) (b + 1) * size, count);
    }

    /** Whether the blocks are of one size (the last may be shorter), not bounds of stored groups. */
    public boolean isUniform() {
        return bounds == null;
    }

    /** The largest block, in records. */
    public int largest() {
        if (bounds == null) {
            return Math.min(size, count);
        }
        int max = 0;
        for (int b = 0; b < blocks(); b++) {
            max = Math.max(max, end(b) - start(b));
        }
        return max;
    }

    @Override
    public String toString() {
        return bounds != null ? blocks() + " blocks of up to " + largest() + " records"
                : "blocks of " + Math.min(size, count) + " record" + (size == 1 ? "" : "s");
    }
}
