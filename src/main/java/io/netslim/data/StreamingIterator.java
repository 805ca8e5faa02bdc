package io.netslim.data;

import org.apache.hadoop.conf.Configuration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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
    private final int chunkRecords;
    private List<RecordRange> chunks;
    private int nextChunk;

    StreamingIterator(DatasetFormat format, Split split, int count, int classes, BadRecords bad, Configuration hadoop,
                      int batchSize, Augmentation augmentation, Normalization normalization, boolean shuffle,
                      long seed, int chunkRecords) {
        super(batchSize, augmentation, normalization, shuffle, seed);
        this.format = format;
        this.split = split;
        this.count = count;
        this.classes = classes;
        this.bad = bad;
        this.hadoop = hadoop;
        this.chunkRecords = chunkRecords;
        reset();
    }

    @Override
    public int numExamples() {
        return count;
    }

    @Override
    protected boolean loadMore() {
        if (nextChunk >= chunks.size()) {
            return false;
        }
        use(format.read(split, chunks.get(nextChunk++), classes, bad, hadoop));
        return true;
    }

    @Override
    public void reset() {
        chunks = new ArrayList<>(RecordRange.split(count, Math.max(1, (count + chunkRecords - 1) / chunkRecords)));
        if (shuffles()) {
            Collections.shuffle(chunks, rnd);
        }
        nextChunk = 0;
        clear();
    }
}
