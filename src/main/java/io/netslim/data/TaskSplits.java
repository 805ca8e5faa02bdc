package io.netslim.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;

import java.io.Serializable;

/**
 * A training shard and the validation split, read as single-node minibatches where a model is trained and scored
 * by itself: inside a Spark task on an executor (the format arrives as a broadcast, files are read through the
 * executor's Hadoop settings) or on the driver. Only the seed and the format's layout travel, never pixels.
 */
public final class TaskSplits implements Serializable {
    private final SharedFormat shared;
    private final transient DatasetFormat local;
    private final transient Configuration driverHadoop;
    private final int shardRecords;
    private final long shardSeed;
    private final int validationRecords;
    private final int classes;
    private final long[] shape;
    private final Augmentation augmentation;
    private final Normalization normalization;
    private final BadRecords bad;

    TaskSplits(SharedFormat shared, DatasetFormat local, Configuration driverHadoop, int shardRecords, long shardSeed,
               int validationRecords, int classes, long[] shape, Augmentation augmentation,
               Normalization normalization, BadRecords bad) {
        this.shared = shared;
        this.local = local;
        this.driverHadoop = driverHadoop;
        this.shardRecords = shardRecords;
        this.shardSeed = shardSeed;
        this.validationRecords = validationRecords;
        this.classes = classes;
        this.shape = shape.clone();
        this.augmentation = augmentation;
        this.normalization = normalization;
        this.bad = bad;
    }

    /** Records of the training shard. */
    public int shardRecords() {
        return shardRecords;
    }

    /** Records of the validation split. */
    public int validationRecords() {
        return validationRecords;
    }

    /** The training shard, augmented, in a new random order every pass (drawn from {@code seed}). */
    public ImageBatches shard(int batchSize, long seed) {
        DatasetFormat format = SampledDataset.trainShard(format(), shardRecords, shardSeed);
        return new StreamingIterator(format, Split.TRAIN, shardRecords, classes, bad, hadoop(), batchSize,
                augmentation, normalization, true, seed, StreamingIterator.chunkRecords(shape));
    }

    /** The validation split in its order. */
    public ImageBatches validation(int batchSize) {
        return new StreamingIterator(format(), Split.VALIDATION, validationRecords, classes, bad, hadoop(), batchSize,
                Augmentation.NONE, normalization, false, 0, StreamingIterator.chunkRecords(shape));
    }

    private DatasetFormat format() {
        return local != null ? local : shared.get();
    }

    private Configuration hadoop() {
        return TaskContext.get() != null || driverHadoop == null ? ExecutorHadoop.conf() : driverHadoop;
    }
}
