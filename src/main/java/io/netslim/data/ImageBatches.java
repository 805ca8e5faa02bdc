package io.netslim.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

import java.util.List;

/**
 * What single-node training and evaluation iterate over: minibatches of image records whose number is known
 * up front (for progress and ETA), reshuffled and re-augmented on every reset.
 */
public abstract class ImageBatches implements DataSetIterator {
    private final int batchSize;
    private DataSetPreProcessor preProcessor;

    protected ImageBatches(int batchSize) {
        this.batchSize = batchSize;
    }

    /** Number of examples per pass. */
    public abstract int numExamples();

    /** The next {@code num} examples, before the pre-processor. */
    protected abstract DataSet nextBatch(int num);

    @Override
    public final DataSet next(int num) {
        if (!hasNext()) {
            throw new java.util.NoSuchElementException();
        }
        DataSet ds = nextBatch(num);
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
