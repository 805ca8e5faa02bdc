package io.netslim.data;

import org.apache.hadoop.conf.Configuration;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code data.limit-train} and {@code data.limit-test}: a fixed random sample of each split rather than its
 * first records, which on data stored class by class would be the first classes only. The sample is drawn
 * once, from a constant seed (the same images whatever {@code train.seed}, so runs with other seeds compare on
 * them), in the format's blocks, and read in file order; its records are numbered 0..n-1 in that order.
 * {@code data.validation}: a fraction of the training records, drawn the same way from {@code train.seed}, becomes
 * the {@link Split#VALIDATION} split and leaves the training split, so nothing trains on it.
 */
final class SampledDataset implements DatasetFormat {
    private static final long serialVersionUID = 1L;
    private static final long SEED = 0x5A3B1EL;

    private static final long VALIDATION_SALT = 0x7A11DL;

    private final DatasetFormat source;
    private final Sample train;
    private final Sample test;
    private final Sample validation;

    private SampledDataset(DatasetFormat source, Sample train, Sample test, Sample validation) {
        this.source = source;
        this.train = train;
        this.test = test;
        this.validation = validation;
    }

    /** {@code source} limited to {@code limitTrain} / {@code limitTest} records (0 or at least the count: all). */
    static DatasetFormat of(DatasetFormat source, int limitTrain, int limitTest) {
        Sample train = Sample.of(source, Split.TRAIN, limitTrain);
        Sample test = Sample.of(source, Split.TEST, limitTest);
        return train == null && test == null ? source : new SampledDataset(source, train, test, null);
    }

    /**
     * {@code source} with {@code fraction} of its training records (at least one, when the fraction is above 0)
     * drawn with {@code seed} as the validation split, and the rest as the training split; 0: {@code source}.
     */
    static DatasetFormat holdOut(DatasetFormat source, double fraction, long seed) {
        if (fraction <= 0) {
            return source;
        }
        int available = source.count(Split.TRAIN);
        int held = (int) Math.max(1, Math.round(available * fraction));
        if (held >= available) {
            throw new DataException("data.validation = " + fraction + " leaves none of the " + available
                    + " training records to train on");
        }
        ShufflePlan order = ShufflePlan.of(source.blocks(Split.TRAIN, available, 1),
                ShufflePlan.mix(seed, VALIDATION_SALT), 1);
        return new SampledDataset(source, Sample.of(order.tail(held)), null, Sample.of(order.head(held)));
    }

    @Override
    public long[] shape() {
        return source.shape();
    }

    /**
     * The first {@code n} training records of {@code source} in the order drawn from {@code seed} (a training shard:
     * a random sample of the training split) as its training split; its other splits unchanged.
     */
    static DatasetFormat trainShard(DatasetFormat source, int n, long seed) {
        int available = source.count(Split.TRAIN);
        if (n >= available) {
            return source;
        }
        return new SampledDataset(source, Sample.of(ShufflePlan.of(source.blocks(Split.TRAIN, available, 1),
                ShufflePlan.mix(seed, 0x5BA4DL), 1).head(n)), null, null);
    }

    @Override
    public int count(Split split) {
        Sample s = sample(split);
        return s != null ? s.count() : source.count(split);
    }

    @Override
    public ImageRecords read(Split split, List<RecordRange> ranges, int classes, BadRecords bad, Configuration hadoop) {
        Sample s = sample(split);
        return s == null ? source.read(split, ranges, classes, bad, hadoop)
                : source.read(stored(split), s.toSource(ranges), classes, bad, hadoop);
    }

    @Override
    public Blocks blocks(Split split, int count, int slots) {
        Sample s = sample(split);
        return s == null ? source.blocks(split, count, slots) : s.blocks(source, stored(split), count, slots);
    }

    @Override
    public String describe() {
        if (validation != null) {
            return source.describe() + "; " + validation.count() + " of its training records held out for validation";
        }
        return source.describe() + (train != null ? "; " + train.count() + " training records drawn at random" : "")
                + (test != null ? "; " + test.count() + " test records drawn at random" : "");
    }

    private Sample sample(Split split) {
        return switch (split) {
            case TRAIN -> train;
            case TEST -> test;
            case VALIDATION -> validation;
        };
    }

    /** The split of the source that holds {@code split}'s records. */
    private static Split stored(Split split) {
        return split == Split.VALIDATION ? Split.TRAIN : split;
    }

    /** The sampled records of one split as sorted source ranges, with the sample index of each range's first record. */
    private record Sample(int[] starts, int[] ends, int[] firsts, int count) implements java.io.Serializable {
        static Sample of(DatasetFormat source, Split split, int limit) {
            int available = source.count(split);
            if (limit <= 0 || limit >= available) {
                return null;
            }
            return of(ShufflePlan.of(source.blocks(split, available, 1), ShufflePlan.mix(SEED, split.ordinal()), 1)
                    .head(limit));
        }

        /** The source records {@code ranges} (sorted, disjoint), numbered 0..n-1 in that order. */
        static Sample of(List<RecordRange> ranges) {
            int n = ranges.size();
            int[] starts = new int[n];
            int[] ends = new int[n];
            int[] firsts = new int[n];
            int first = 0;
            for (int i = 0; i < n; i++) {
                starts[i] = ranges.get(i).start();
                ends[i] = ranges.get(i).end();
                firsts[i] = first;
                first += ends[i] - starts[i];
            }
            return new Sample(starts, ends, firsts, first);
        }

        /** Sample records {@code ranges} (sorted) as the source's records, sorted. */
        List<RecordRange> toSource(List<RecordRange> ranges) {
            RecordRange.check(ranges, count, "sample of " + count + " records");
            List<RecordRange> out = new ArrayList<>();
            for (RecordRange r : ranges) {
                int i = index(r.start());
                for (int at = r.start(); at < r.end(); i++) {
                    int offset = at - firsts[i];
                    int take = Math.min(r.end() - at, ends[i] - starts[i] - offset);
                    RecordRange piece = new RecordRange(starts[i] + offset, starts[i] + offset + take);
                    int last = out.size() - 1;
                    if (last >= 0 && out.get(last).end() == piece.start()) {
                        out.set(last, new RecordRange(out.get(last).start(), piece.end()));
                    } else {
                        out.add(piece);
                    }
                    at += take;
                }
            }
            return out;
        }

        /**
         * Blocks of the sample: as {@link Blocks#forSlots} for formats that read record by record; for formats that
         * read in groups (shards), the source's groups as they fall in the sample.
         */
        Blocks blocks(DatasetFormat source, Split split, int n, int slots) {
            Blocks own = source.blocks(split, source.count(split), slots);
            if (own.isUniform()) {
                return Blocks.forSlots(n, slots);
            }
            List<Integer> bounds = new ArrayList<>(List.of(0));
            int b = 0;
            for (int i = 0; i < starts.length; i++) {
                for (int at = starts[i]; at < ends[i]; ) {
                    while (own.end(b) <= at) {
                        b++;
                    }
                    int to = Math.min(ends[i], own.end(b));
                    bounds.add(Math.min(n, bounds.get(bounds.size() - 1) + to - at));
                    at = to;
                }
            }
            return Blocks.bounded(bounds.stream().distinct().mapToInt(Integer::intValue).toArray());
        }

        /** The range holding sample record {@code k}. */
        private int index(int k) {
            int i = Arrays.binarySearch(firsts, k);
            return i >= 0 ? i : -i - 2;
        }
    }
}
