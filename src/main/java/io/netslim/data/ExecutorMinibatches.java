package io.netslim.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Runs on the executors: computes its own share of the epoch's {@link ShufflePlan}, reads those records of
 * the training split through the dataset format (sorted, for locality), shuffles them in memory and yields
 * augmented minibatches. The driver only ships the plan (a seed and the block layout).
 */
final class ExecutorMinibatches implements FlatMapFunction<Iterator<Integer>, DataSet> {
    private final SharedFormat format;
    private final ShufflePlan plan;
    private final int classes;
    private final int batchSize;
    private final Augmentation augmentation;
    private final BadRecords bad;
    private final Normalization normalization;

    /** The RDD holds slot numbers of {@code plan} (plain integers travel through any Spark serializer). */
    ExecutorMinibatches(SharedFormat format, ShufflePlan plan, int classes, int batchSize, Augmentation augmentation,
                        Normalization normalization, BadRecords bad) {
        this.format = format;
        this.plan = plan;
        this.classes = classes;
        this.batchSize = batchSize;
        this.augmentation = augmentation;
        this.bad = bad;
        this.normalization = normalization;
    }

    @Override
    public Iterator<DataSet> call(Iterator<Integer> slots) {
        Configuration hadoop = ExecutorHadoop.conf();
        return new Iterator<>() {
            private ImageRecords records;
            private int[] order;
            private int next;
            private Random rnd;

            @Override
            public boolean hasNext() {
                while ((records == null || next >= order.length) && slots.hasNext()) {
                    load(slots.next());
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

            private void load(int slot) {
                records = format.get().read(Split.TRAIN, plan.slot(slot), classes, bad, hadoop);
                rnd = new Random(plan.slotSeed(slot));
                order = records.order(rnd);
                next = 0;
            }
        };
    }
}
