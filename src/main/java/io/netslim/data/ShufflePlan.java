package io.netslim.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A global random order of a split's records and its cut into slots (one per worker and epoch chunk, or per
 * fine-tuning chunk): the blocks are permuted by the seed, laid end to end, and slot {@code s} of {@code S}
 * takes the s-th of S near-equal stretches. So every slot is a random sample of the whole split whatever
 * order the records are stored in. A pure function of its fields: executors compute their own slot.
 */
public final class ShufflePlan implements Serializable {
    /** The newest permutation computed in this JVM, shared by the tasks of one epoch. */
    private static volatile Permutation last;

    private final Blocks blocks;
    private final long seed;
    private final int slots;
    private final int slotSize;

    private ShufflePlan(Blocks blocks, long seed, int slots, int slotSize) {
        if (slots < 1) {
            throw new IllegalArgumentException(slots + " slots, expected >= 1");
        }
        this.blocks = blocks;
        this.seed = seed;
        this.slots = slots;
        this.slotSize = slotSize;
    }

    /** The order drawn from {@code seed} over {@code blocks}, cut into {@code slots} near-equal stretches. */
    public static ShufflePlan of(Blocks blocks, long seed, int slots) {
        return new ShufflePlan(blocks, seed, slots, 0);
    }

    /** The order drawn from {@code seed} over {@code blocks}, cut into stretches of {@code size} (the last shorter). */
    public static ShufflePlan inPiecesOf(Blocks blocks, long seed, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("pieces of " + size + " records, expected >= 1");
        }
        return new ShufflePlan(blocks, seed, Math.max(1, (int) ((blocks.count() + (long) size - 1) / size)), size);
    }

    /** A seed for one thing (an epoch, a slot) derived from a base seed: SplitMix64 of both. */
    public static long mix(long base, long what) {
        long z = base * 0x9E3779B97F4A7C15L + what + 0x632BE59BD9B4E5DL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public int slots() {
        return slots;
    }

    public Blocks blocks() {
        return blocks;
    }

    /** Records in slot {@code s}. */
    public int slotSize(int s) {
        return (int) (bound(s + 1) - bound(s));
    }

    /** The records of slot {@code s}, as sorted, disjoint, non-adjacent ranges (the order to read them in). */
    public List<RecordRange> slot(int s) {
        if (s < 0 || s >= slots) {
            throw new IllegalArgumentException("slot " + s + " of " + slots);
        }
        return stretch(bound(s), bound(s + 1));
    }

    /** Seeds the in-memory shuffle of slot {@code s}'s records. */
    public long slotSeed(int s) {
        return mix(seed, 1_000_003L + s);
    }

    /** The first {@code n} records of the order (a fixed random sample of the split), sorted. */
    public List<RecordRange> head(int n) {
        return stretch(0, Math.min(n, blocks.count()));
    }

    /** The records after the first {@code n} of the order (the rest of the split once a head is taken), sorted. */
    public List<RecordRange> tail(int n) {
        return stretch(Math.min(n, blocks.count()), blocks.count());
    }

    private long bound(int s) {
        return slotSize > 0 ? Math.min((long) slotSize * s, blocks.count()) : (long) blocks.count() * s / slots;
    }

    /** Positions [from, to) of the order as record ranges, sorted and merged. */
    private List<RecordRange> stretch(long from, long to) {
        List<RecordRange> ranges = new ArrayList<>();
        if (from >= to) {
            return ranges;
        }
        int[] order = permutation();
        long pos = 0;
        for (int k = 0; k < order.length && pos < to; k++) {
            int b = order[k];
            int start = blocks.start(b);
            int size = blocks.end(b) - start;
            if (pos + size > from) {
                int lo = (int) Math.max(0, from - pos);
                int hi = (int) Math.min(size, to - pos);
                ranges.add(new RecordRange(start + lo, start + hi));
            }
            pos += size;
        }
        ranges.sort(Comparator.comparingInt(RecordRange::start));
        List<RecordRange> merged = new ArrayList<>(ranges.size());
        for (RecordRange r : ranges) {
            int last = merged.size() - 1;
            if (last >= 0 && merged.get(last).end() == r.start()) {
                merged.set(last, new RecordRange(merged.get(last).start(), r.end()));
            } else {
                merged.add(r);
            }
        }
        return merged;
    }

    /** The block order: a Fisher-Yates shuffle drawn from the seed (computed once per JVM and plan). */
    private int[] permutation() {
        int n = blocks.blocks();
        Permutation p = last;
        if (p != null && p.seed == seed && p.order.length == n) {
            return p.order;
        }
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        last = new Permutation(seed, order);
        return order;
    }

    private record Permutation(long seed, int[] order) {
    }
}
