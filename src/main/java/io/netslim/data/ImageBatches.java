package io.netslim.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;
import java.util.Random;

/**
 * What single-node training and evaluation iterate over: minibatches of image records whose number is known
 * up front (for progress and ETA), reshuffled and re-augmented on every reset. Subclasses say where the
 * records come from, one block at a time ({@link #loadMore}).
 */
public abstract class ImageBatches implements DataSetIterator {
    private final int batchSize;
    private final Augmentation augmentation;
    private final Normalization normalization;
    private final boolean shuffle;
    /** Shuffles and augments; one sequence per iterator, so every pass differs. */
    protected final Random rnd;
    private DataSetPreProcessor preProcessor;
    private ImageRecords current;
    private int[] order = new int[0];
    private int next;

    protected ImageBatches(int batchSize, Augmentation augmentation, Normalization normalization, boolean shuffle,
                           long seed) {
        this.batchSize = batchSize;
        this.augmentation = augmentation;
        this.normalization = normalization;
        this.shuffle = shuffle;
        this.rnd = new Random(seed);
    }

    /** Number of examples per pass. */
    public abstract int numExamples();

    /** Makes the next block of records current ({@link #use}); false when the pass has no more. */
    protected abstract boolean loadMore();

    /** Starts on {@code records}, in a new random order when shuffling. */
    protected final void use(ImageRecords records) {
        current = records;
        order = records.order(shuffle ? rnd : null);
        next = 0;
    }

    /** Forgets the current block (at the start of a pass). */
    protected final void clear() {
        current = null;
        order = new int[0];
        next = 0;
    }

    protected final boolean shuffles() {
        return shuffle;
    }

    @Override
    public final boolean hasNext() {
        while (next >= order.length && loadMore()) {
            // the next block is current now
        }
        return next < order.length;
    }

    @Override
    public final DataSet next(int num) {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException();
        }
        int to = Math.min(next + num, order.length);
        DataSet ds = current.batch(order, next, to, augmentation, normalization, rnd);
        next = to;
        if (preProcessor != null) {
            preProcessor.preProcess(ds);
        }
        return ds;
    }

    @Override
    public final DataSet next() {
        return next(batchSize);
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
