package io.netslim.data;

import org.apache.hadoop.conf.Configuration;

import java.util.List;

/**
 * Single-node minibatches read from the dataset one chunk of records at a time, so this node never holds
 * more than a chunk: fine-tuning and evaluation on datasets larger than the driver's memory. When shuffling,
 * every pass draws a new global random order ({@link ShufflePlan}) and cuts it into chunks, each a random
 * sample of the whole split, read sorted and shuffled in memory; otherwise the chunks are consecutive.
 */
public final class StreamingIterator extends ImageBatches {
    /** Records read at a time at most (about 25 MB of 3x32x32 images). */
    public static final int CHUNK = 8192;
    /** Bytes read at a time at most: a chunk of 3x224x224 images is 1,783 records, not 1.2 GB. */
    static final long CHUNK_BYTES = 256L << 20;

    /** Records per chunk for records of {@code shape} ({C, H, W}): {@link #CHUNK}, fewer for big images. */
    static int chunkRecords(long[] shape) {
        long bytes = shape[0] * shape[1] * shape[2];
        return (int) Math.max(1, Math.min(CHUNK, CHUNK_BYTES / bytes));
    }

    private final DatasetFormat format;
    private final Split split;
    private final int count;
    private final int classes;
    private final BadRecords bad;
    private final Configuration hadoop;
    private final int chunkRecords;
    private ShufflePlan plan;
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
        if (nextChunk >= plan.slots()) {
            return false;
        }
        int chunk = nextChunk++;
        List<RecordRange> ranges = shuffles() ? plan.slot(chunk)
                : List.of(new RecordRange((int) ((long) count * chunk / plan.slots()),
                (int) ((long) count * (chunk + 1) / plan.slots())));
        use(format.read(split, ranges, classes, bad, hadoop));
        return true;
    }

    @Override
    public void reset() {
        int chunks = Math.max(1, (count + chunkRecords - 1) / chunkRecords);
        plan = ShufflePlan.of(format.blocks(split, count, chunks), shuffles() ? rnd.nextLong() : 0, chunks);
        nextChunk = 0;
        clear();
    }
}
