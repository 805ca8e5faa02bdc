package io.netslim.data;

import org.nd4j.linalg.dataset.DataSet;

import java.util.Random;

/** Single-node minibatches over records already held in memory (small sets: monitors, tests). */
public final class InMemoryIterator extends ImageBatches {
    private final ImageRecords records;
    private final Augmentation augmentation;
    private final Normalization normalization;
    private final Random rnd;
    private final boolean shuffle;
    private int[] order;
    private int next;

    public InMemoryIterator(ImageRecords records, int batchSize, Augmentation augmentation,
                            Normalization normalization, boolean shuffle, long seed) {
        super(batchSize);
        this.records = records;
        this.augmentation = augmentation;
        this.normalization = normalization;
        this.shuffle = shuffle;
        this.rnd = new Random(seed);
        reset();
    }

    @Override
    public int numExamples() {
        return records.size();
    }

    @Override
    protected DataSet nextBatch(int num) {
        int to = Math.min(next + num, order.length);
        DataSet ds = records.batch(order, next, to, augmentation, normalization, rnd);
        next = to;
        return ds;
    }

    @Override
    public boolean hasNext() {
        return next < order.length;
    }

    @Override
    public void reset() {
        order = records.order(shuffle ? rnd : null);
        next = 0;
    }
}
