package io.netslim.data;

/** Single-node minibatches over records already held in memory (small sets: monitors, tests). */
public final class InMemoryIterator extends ImageBatches {
    private final ImageRecords records;
    private boolean loaded;

    public InMemoryIterator(ImageRecords records, int batchSize, Augmentation augmentation,
                            Normalization normalization, boolean shuffle, long seed) {
        super(batchSize, augmentation, normalization, shuffle, seed);
        this.records = records;
        reset();
    }

    @Override
    public int numExamples() {
        return records.size();
    }

    @Override
    protected boolean loadMore() {
        if (loaded) {
            return false;
        }
        loaded = true;
        use(records);
        return true;
    }

    @Override
    public void reset() {
        clear();
        loaded = false;
    }
}
