package io.netslim.data;

import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Single-node minibatches read from the dataset one chunk of records at a time, so this node never holds
 * more than a chunk: fine-tuning and evaluation on datasets larger than the driver's memory. Each pass
 * visits the chunks in a new random order and shuffles the records within each chunk.
 */
public final class StreamingIterator extends ImageBatches {
    /** Records read at a time (about 25 MB of 3x32x32 images). */
    public static final int CHUNK = 8192;

    private final DatasetFormat format;
    private final Split split;
    private final int count;
    private final int classes;
    private final BadRecords bad;
    private final Configuration hadoop;
    private final Augmentation augmentation;
    private final Normalization normalization;
    private final boolean shuffle;
    private final Random rnd;
    private final int chunkRecords;
    private List<RecordRange> chunks;
    private int nextChunk;
    private ImageRecords current;
    private int[] order = new int[0];
    private int next;

    StreamingIterator(DatasetFormat format, Split split, int count, int classes, BadRecords bad, Configuration hadoop,
                      int batchSize, Augmentation augmentation, Normalization normalization, boolean shuffle,
                      long seed, int chunkRecords) {
        super(batchSize);
        this.format = format;
        this.split = split;
        this.count = count;
        this.classes = classes;
        this.bad = bad;
        this.hadoop = hadoop;
        this.augmentation = augmentation;
        this.normalization = normalization;
        this.shuffle = shuffle;
        this.rnd = new Random(seed);
        this.chunkRecords = chunkRecords;
        reset();
    }

    @Override
    public int numExamples() {
        return count;
    }

    @Override
    public boolean hasNext() {
        while (next >= order.length && nextChunk < chunks.size()) {
            current = format.read(split, chunks.get(nextChunk++), classes, bad, hadoop);
            order = current.order(shuffle ? rnd : null);
            next = 0;
        }
        return next < order.length;
    }

    @Override
    protected DataSet nextBatch(int num) {
        int to = Math.min(next + num, order.length);
        DataSet ds = current.batch(order, next, to, augmentation, normalization, rnd);
        next = to;
        return ds;
    }

    @Override
    public void reset() {
        chunks = new ArrayList<>(RecordRange.split(count, Math.max(1, (count + chunkRecords - 1) / chunkRecords)));
        if (shuffle) {
            Collections.shuffle(chunks, rnd);
        }
        nextChunk = 0;
        current = null;
        order = new int[0];
        next = 0;
    }
}
