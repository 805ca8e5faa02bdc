package io.netslim.data;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code netslim prepare} on Spark: the driver only plans the shards, each task reads its records of the
 * source through {@link DatasetFormat#read} and writes its shard; shards.json comes last. The training
 * records are written in a global random order drawn from the seed ({@link ShufflePlan}: shard k holds the
 * k-th stretch of it, shuffled), so every shard is a random sample of the source however it is stored, and
 * training, which reads shards whole, deals out samples. Test shards keep the source's order.
 */
public final class ShardWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ShardWriter.class);

    private final DatasetFormat source;
    private final int trainCount;
    private final int testCount;
    private final int classes;
    private final int shardSize;
    private final BadRecords bad;
    private final long seed;

    public ShardWriter(DatasetFormat source, int trainCount, int testCount, int classes, int shardSize, BadRecords bad,
                       long seed) {
        if (shardSize < 1) {
            throw new IllegalArgumentException("shard size " + shardSize + ", expected >= 1");
        }
        this.source = source;
        this.trainCount = trainCount;
        this.testCount = testCount;
        this.classes = classes;
        this.shardSize = shardSize;
        this.bad = bad;
        this.seed = seed;
    }

    /**
     * The configured dataset (data.format, data.path, data.limit-*, data.on-bad-record), opened on the driver;
     * the training records shuffled with {@code seed}.
     */
    public static ShardWriter of(JobConfig.DataConfig data, int classes, int shardSize, long seed, Configuration hadoop) {
        DatasetFormat format = DatasetFormats.open(data.withoutValidation(), hadoop);
        return new ShardWriter(format, format.count(Split.TRAIN), format.count(Split.TEST), classes, shardSize,
                new BadRecords(data.onBadRecord()), seed);
    }

    /** What is prepared from where, for the log. */
    public String describe() {
        return trainCount + " train and " + testCount + " test records of " + source.describe();
    }

    /** Writes every shard into {@code root} (made ready by {@link ShardFolder#begin}), then shards.json. */
    public Summary write(JavaSparkContext sc, String root, Configuration hadoop) {
        long started = System.nanoTime();
        List<Shard> plan = new ArrayList<>(plan(Split.TRAIN, trainCount));
        plan.addAll(plan(Split.TEST, testCount));
        ShufflePlan order = trainOrder();
        LOG.info("preparing {} shards of up to {} records from {} in {}; training records in a random order "
                + "(seed {}, {})", plan.size(), shardSize, describe(), root, seed, order.blocks());
        List<Integer> written = plan.isEmpty() ? List.of()
                : sc.parallelize(IntStream.range(0, plan.size()).boxed().toList(), plan.size())
                .map(new WriteShard(SharedFormat.of(sc, source), plan, order, classes, root, bad.onSpark(sc)))
                .collect();
        int[] train = counts(plan, written, Split.TRAIN);
        int[] test = counts(plan, written, Split.TEST);
        ShardsManifest manifest = new ShardsManifest(source.shape(), classes, shardSize, train, test, source.describe(),
                bad.skippedRecords(), seed);
        ShardFolder.finish(root, manifest, hadoop);
        double seconds = (System.nanoTime() - started) / 1e9;
        if (bad.skippedRecords() > 0) {
            LOG.warn("{} bad records skipped (data.on-bad-record = skip): {}", bad.skippedRecords(), bad.problems());
        }
        return new Summary(root, manifest.count(Split.TRAIN), manifest.count(Split.TEST), train.length, test.length,
                bad.skippedRecords(), seconds);
    }

    /** What a prepare wrote and how fast. */
    public record Summary(String uri, int trainRecords, int testRecords, int trainShards, int testShards,
                          long skippedRecords, double seconds) {
        public double recordsPerSecond() {
            return (trainRecords + testRecords) / Math.max(seconds, 1e-9);
        }

        /** One line for the console. */
        public String line() {
            return String.format(java.util.Locale.ROOT,
                    "prepared %d train records in %d shards and %d test records in %d shards%s in %.1f s (%.0f records/s)",
                    trainRecords, trainShards, testRecords, testShards,
                    skippedRecords > 0 ? " (" + skippedRecords + " bad records skipped)" : "", seconds,
                    recordsPerSecond());
        }
    }

    private List<Shard> plan(Split split, int count) {
        List<Shard> shards = new ArrayList<>();
        for (int k = 0; (long) k * shardSize < count; k++) {
            int start = k * shardSize;
            shards.add(new Shard(split, k, new RecordRange(start, (int) Math.min((long) start + shardSize, count))));
        }
        return shards;
    }

    /** The training records' order, cut into shards of {@code shardSize} records (the last shorter). */
    private ShufflePlan trainOrder() {
        int shards = Math.max(1, (int) ((trainCount + (long) shardSize - 1) / shardSize));
        return ShufflePlan.inPiecesOf(source.blocks(Split.TRAIN, trainCount, shards), ShufflePlan.mix(seed, 0x5AADL),
                shardSize);
    }

    private static int[] counts(List<Shard> plan, List<Integer> written, Split split) {
        return IntStream.range(0, plan.size()).filter(i -> plan.get(i).split() == split)
                .map(i -> written.get(i)).toArray();
    }


    /** Shard {@code index} of {@code split}: for the test split the source records {@code range}. */
    record Shard(Split split, int index, RecordRange range) implements Serializable {
    }

    /**
     * Runs on the executors: reads one planned shard's records from the source and writes the shard file.
     * The RDD holds plan indices (plain integers travel through any Spark serializer); returns the records kept.
     */
    static final class WriteShard implements Function<Integer, Integer> {
        private final SharedFormat source;
        private final List<Shard> plan;
        private final ShufflePlan trainOrder;
        private final int classes;
        private final String root;
        private final BadRecords bad;

        WriteShard(SharedFormat source, List<Shard> plan, ShufflePlan trainOrder, int classes, String root,
                   BadRecords bad) {
            this.source = source;
            this.plan = List.copyOf(plan);
            this.trainOrder = trainOrder;
            this.classes = classes;
            this.root = root;
            this.bad = bad;
        }

        @Override
        public Integer call(Integer i) {
            Shard shard = plan.get(i);
            Configuration hadoop = ExecutorHadoop.conf();
            DatasetFormat format = source.get();
            boolean train = shard.split() == Split.TRAIN;
            ImageRecords records = format.read(shard.split(),
                    train ? trainOrder.slot(shard.index()) : List.of(shard.range()), classes, bad, hadoop);
            if (records.size() > 0) {
                TaskContext task = TaskContext.get();
                String attempt = task == null ? "driver" : task.stageAttemptNumber() + "-" + task.taskAttemptId();
                int[] order = records.order(train ? new java.util.Random(trainOrder.slotSeed(shard.index())) : null);
                ShardFolder.writeShard(root, ShardsDataset.shardName(shard.split(), shard.index()),
                        ShardsDataset.shard(records, order, format.shape(), classes), attempt, hadoop);
            }
            return records.size();
        }
    }
}
