package io.netslim.data;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * The configured dataset: its shape, Spark RDDs of training minibatches built on the executors,
 * and in-memory splits for single-node stages. Bad records follow {@code data.on-bad-record}.
 */
public final class ImageSource {
    private final JobConfig.DataConfig data;
    private final int classes;
    private final DatasetFormat format;
    private final BadRecords bad;
    private final Configuration hadoop;
    private Normalization normalization = Normalization.NONE;
    private SharedFormat shared;

    private ImageSource(JobConfig.DataConfig data, int classes, DatasetFormat format, Configuration hadoop) {
        this.data = data;
        this.classes = classes;
        this.format = format;
        this.bad = new BadRecords(data.onBadRecord());
        this.hadoop = hadoop;
    }

    /** Opens and checks the dataset named by the config (lists files and reads headers only). */
    public static ImageSource open(JobConfig.DataConfig data, int classes, Configuration hadoop) {
        return new ImageSource(data, classes, DatasetFormats.open(data, hadoop), hadoop);
    }

    /** Input shape as {channels, height, width}. */
    public long[] inputShape() {
        return format.shape();
    }

    /** Training images used (after data.limit-train, without the validation split). */
    public int trainCount() {
        return format.count(Split.TRAIN);
    }

    /** Images of the validation split ({@code data.validation} of the training records; 0 when it is off). */
    public int validationCount() {
        return data.validation() > 0 ? format.count(Split.VALIDATION) : 0;
    }

    /** Test images used (after data.limit-test). */
    public int testCount() {
        return format.count(Split.TEST);
    }

    /** What was found where, for the log. */
    public String describe() {
        return format.describe();
    }

    /** Records skipped so far under data.on-bad-record = skip (driver and executors). */
    public BadRecords badRecords() {
        return bad;
    }

    /** Standardises every minibatch from now on (checked against the images' channels). */
    public void normalizeWith(Normalization n) {
        if (!n.isNone() && n.mean().length != inputShape()[0]) {
            throw new io.netslim.config.ConfigException("data.mean/data.std: " + n.mean().length
                    + " value(s), expected one per channel (" + inputShape()[0] + ")");
        }
        this.normalization = n;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** Per-channel mean and std of the training split, in one pass on the executors of {@code sc}. */
    public Normalization channelStats(JavaSparkContext sc) {
        return ChannelStats.compute(sc, shared(sc), (int) inputShape()[0], trainCount(), classes, bad,
                sc.defaultParallelism() * 4);
    }

    /** Minibatches over records already read (monitor sets), normalized like the rest, in their order. */
    public ImageBatches heldInMemory(ImageRecords records, int batchSize) {
        return new InMemoryIterator(records, batchSize, Augmentation.NONE, normalization, false, 0);
    }

    /** Training augmentation from the config. */
    public Augmentation augmentation() {
        return new Augmentation(data.flip(), data.cropPadding());
    }

    /**
     * Chunk {@code chunk} of {@code chunks} of one epoch of augmented training minibatches, read and assembled
     * on the executors, one partition per worker. The epoch's global random order ({@link ShufflePlan}, drawn
     * from {@code seed} and the epoch) is cut into {@code partitions * chunks} shares; each worker reads its
     * share's records (sorted, for locality) and shuffles them in memory, so every worker's share and every
     * minibatch is a random sample of the whole training split, whatever order it is stored in. Augmentation
     * is drawn from the same seeds: a resumed run sees exactly the minibatches of an uninterrupted one.
     */
    public Minibatches trainMinibatches(JavaSparkContext sc, int batchSize, int partitions, long seed,
                                        int epoch, int chunk, int chunks) {
        ShufflePlan plan = epochPlan(seed, epoch, partitions * chunks);
        List<Integer> slots = java.util.stream.IntStream.range(chunk * partitions,
                Math.min((chunk + 1) * partitions, plan.slots())).boxed().toList();
        JavaRDD<DataSet> rdd = sc.parallelize(slots, Math.max(1, slots.size()))
                .mapPartitions(new ExecutorMinibatches(shared(sc), plan, classes, batchSize, augmentation(),
                        normalization, bad.onSpark(sc)));
        return new Minibatches(rdd, slots.stream().mapToLong(plan::slotSize).sum());
    }

    /** The order of epoch {@code epoch}'s training records, cut into {@code slots} shares. */
    private ShufflePlan epochPlan(long seed, int epoch, int slots) {
        return ShufflePlan.of(format.blocks(Split.TRAIN, trainCount(), slots), ShufflePlan.mix(seed, epoch), slots);
    }

    private SharedFormat shared(JavaSparkContext sc) {
        if (shared == null) {
            shared = SharedFormat.of(sc, format);
        }
        return shared;
    }

    /** An RDD of minibatches and how many images it holds. */
    public record Minibatches(JavaRDD<DataSet> rdd, long images) {
    }

    /**
     * The training split streamed on this node a chunk at a time (fine-tuning): every pass reads the records
     * in a new global random order drawn from {@code seed}, never more than a chunk in memory.
     */
    public ImageBatches trainBatches(int batchSize, long seed) {
        return new StreamingIterator(format, Split.TRAIN, trainCount(), classes, bad, hadoop, batchSize, augmentation(),
                normalization, true, seed, StreamingIterator.chunkRecords(inputShape()));
    }

    /** The test split in its order, streamed on this node a chunk at a time (evaluation). */
    public ImageBatches testBatches(int batchSize) {
        return new StreamingIterator(format, Split.TEST, testCount(), classes, bad, hadoop, batchSize,
                Augmentation.NONE, normalization, false, 0, StreamingIterator.chunkRecords(inputShape()));
    }

    /** The validation split in its order, streamed on this node a chunk at a time; empty when it is off. */
    public ImageBatches validationBatches(int batchSize) {
        return new StreamingIterator(format, Split.VALIDATION, validationCount(), classes, bad, hadoop, batchSize,
                Augmentation.NONE, normalization, false, 0, StreamingIterator.chunkRecords(inputShape()));
    }

    /**
     * A training shard of {@code shardRecords} records (a random sample of the training split drawn from
     * {@code seed}) and the validation split, for models trained and scored one per Spark task on the executors of
     * {@code sc}, or on this node when {@code sc} is null.
     */
    public TaskSplits taskSplits(JavaSparkContext sc, int shardRecords, long seed) {
        if (validationCount() == 0) {
            throw new io.netslim.config.ConfigException("data.validation = 0: there is no validation split");
        }
        return new TaskSplits(sc == null ? null : shared(sc), sc == null ? format : null, sc == null ? hadoop : null,
                Math.min(shardRecords, trainCount()), seed, validationCount(), classes, inputShape(), augmentation(),
                normalization, sc == null ? bad : bad.onSpark(sc));
    }

    /** {@code n} test images drawn at random with {@code seed} (monitoring test accuracy during training). */
    public ImageRecords testSample(int n, long seed) {
        return sample(Split.TEST, testCount(), n, seed);
    }

    /** {@code n} training images drawn at random with {@code seed}, not augmented (monitoring training accuracy). */
    public ImageRecords trainSample(int n, long seed) {
        return sample(Split.TRAIN, trainCount(), n, seed);
    }

    /** The training split held in memory on this node. */
    public ImageRecords loadTrain() {
        return format.read(Split.TRAIN, new RecordRange(0, trainCount()), classes, bad, hadoop);
    }

    /** The test split held in memory on this node. */
    public ImageRecords loadTest() {
        return format.read(Split.TEST, new RecordRange(0, testCount()), classes, bad, hadoop);
    }

    private ImageRecords sample(Split split, int count, int n, long seed) {
        int slots = Math.max(1, count / Math.max(1, n));
        ShufflePlan plan = ShufflePlan.of(format.blocks(split, count, slots), seed, slots);
        return format.read(split, plan.head(n), classes, bad, hadoop);
    }
}
