package io.netslim.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/** Single-node minibatches over records held in memory, reshuffled and re-augmented on every reset. */
public final class InMemoryIterator implements DataSetIterator {
    private final ImageRecords records;
    private final int batchSize;
    private final Augmentation augmentation;
    private final Random rnd;
    private final boolean shuffle;
    private int[] order;
    private int next;
    private DataSetPreProcessor preProcessor;

    public InMemoryIterator(ImageRecords records, int batchSize, Augmentation augmentation, boolean shuffle,
                            long seed) {
        this.records = records;
        this.batchSize = batchSize;
        this.augmentation = augmentation;
        this.shuffle = shuffle;
        this.rnd = new Random(seed);
        reset();
    }

    /** Number of examples per pass. */
    public int numExamples() {
        return records.size();
    }

    @Override
    public DataSet next(int num) {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int to = Math.min(next + num, order.length);
        DataSet ds = records.batch(order, next, to, augmentation, rnd);
        next = to;
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public DataSet next() {
        return next(batchSize);
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

    @Override
    public int inputColumns() {
        return -1;
    }

    @Override
    public int totalOutcomes() {
        return -1;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public int batch() {
        return batchSize;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }
}
