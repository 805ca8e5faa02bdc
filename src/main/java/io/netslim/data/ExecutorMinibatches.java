package io.netslim.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Runs on the executors: reads its own record ranges (by index) of the training split through the dataset
 * format and yields shuffled, augmented minibatches. The driver only ships the ranges.
 */
final class ExecutorMinibatches implements FlatMapFunction<Iterator<Integer>, DataSet> {
    private final SharedFormat format;
    private final List<RecordRange> ranges;
    private final int classes;
    private final int batchSize;
    private final Augmentation augmentation;
    private final long seed;
    private final BadRecords bad;
    private final Normalization normalization;

    /** The RDD holds indices into {@code ranges} (plain integers travel through any Spark serializer). */
    ExecutorMinibatches(SharedFormat format, List<RecordRange> ranges, int classes, int batchSize,
                               Augmentation augmentation, Normalization normalization, long seed, BadRecords bad) {
        this.format = format;
        this.ranges = List.copyOf(ranges);
        this.classes = classes;
        this.batchSize = batchSize;
        this.augmentation = augmentation;
        this.seed = seed;
        this.bad = bad;
        this.normalization = normalization;
    }

    @Override
    public Iterator<DataSet> call(Iterator<Integer> rangeIndices) {
        Configuration hadoop = ExecutorHadoop.conf();
        return new Iterator<>() {
            private ImageRecords records;
            private int[] order;
            private int next;
            private Random rnd;

            @Override
            public boolean hasNext() {
                while ((records == null || next >= order.length) && rangeIndices.hasNext()) {
                    load(ranges.get(rangeIndices.next()));
                }
                return records != null && next < order.length;
            }

            @Override
            public DataSet next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int to = Math.min(next + batchSize, order.length);
                DataSet batch = records.batch(order, next, to, augmentation, normalization, rnd);
                next = to;
                return batch;
            }

            private void load(RecordRange range) {
                records = format.get().read(Split.TRAIN, range, classes, bad, hadoop);
                rnd = new Random(seed * 1_000_003L + range.start());
                order = records.order(rnd);
                next = 0;
            }
        };
    }
}
