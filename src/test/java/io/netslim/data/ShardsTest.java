package io.netslim.data;

import io.netslim.testing.TestCluster;
import io.netslim.Main;
import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** netslim prepare and data.format = shards, on a real (in-process) HDFS and Spark local[2]. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShardsTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withSparkAndHdfs();

    private static final int TRAIN = 23;
    private static final int TEST = 7;
    private static final int SHARD = 5;
    private static final int CLASSES = 10;
    private static final int RECORD = 4 * 3;

    @TempDir
    static java.nio.file.Path base;
    private MiniDFSCluster hdfs;
    private JavaSparkContext sc;
    private FileSystem fs;
    private String idx;
    private String shards;
    private ShardWriter.Summary summary;

    @BeforeAll
    void start() throws Exception {
        hdfs = cluster.hdfs();
        fs = hdfs.getFileSystem();
        sc = cluster.sc();
        java.nio.file.Path local = java.nio.file.Files.createDirectories(base.resolve("idx"));
        IdxDatasetTest.writeDataset(local, TRAIN, TEST, false);
        idx = hdfs.getURI() + "/data/idx";
        fs.copyFromLocalFile(new Path(local.toUri()), new Path(idx));
        shards = hdfs.getURI() + "/data/shards";
        summary = prepare(shards, false);
    }

    @Test
    void testShardsKeepTheSourceOrderAndTrainShardsHoldEveryRecordOnceShuffled() throws Exception {
        assertEquals(TRAIN, summary.trainRecords());
        assertEquals(TEST, summary.testRecords());
        assertEquals(5, summary.trainShards());
        assertEquals(2, summary.testShards());
        assertTrue(summary.recordsPerSecond() > 0);
        ShardsDataset format = (ShardsDataset) DatasetFormats.open(data(shards), new Configuration());
        assertArrayEquals(new long[] {1, 4, 3}, format.shape());
        assertEquals(TRAIN, format.count(Split.TRAIN));
        assertEquals(TEST, format.count(Split.TEST));
        assertArrayEquals(new int[] {5, 5, 5, 5, 3}, format.manifest().shards(Split.TRAIN));
        assertArrayEquals(new int[] {5, 2}, format.manifest().shards(Split.TEST));
        assertEquals(42L, format.manifest().trainShuffleSeed());
        assertTrue(format.describe().contains("IDX files"), format.describe());
        DatasetFormat source = DatasetFormats.open(data(idx), new Configuration());
        // test records: ranges straddling shard boundaries, read on the executors, equal the source's
        List<RecordRange> test = List.of(new RecordRange(0, 4), new RecordRange(4, 7), new RecordRange(2, 7));
        List<int[]> fromShards = readOnExecutors(format, Split.TEST, test);
        List<int[]> fromSource = readOnExecutors(source, Split.TEST, test);
        for (int r = 0; r < test.size(); r++) {
            assertArrayEquals(fromSource.get(r), fromShards.get(r), "test " + test.get(r));
            assertEquals(test.get(r).size() * (1 + RECORD), fromShards.get(r).length);
        }
        // training records: every source record exactly once, with its pixels and label, in a shuffled order
        int[] flat = readOnExecutors(format, Split.TRAIN, List.of(new RecordRange(0, TRAIN))).get(0);
        int[] sourceIndex = new int[TRAIN];
        boolean[] seen = new boolean[TRAIN];
        for (int i = 0; i < TRAIN; i++) {
            int record = recordOf(flat, i);
            assertFalse(seen[record], "record " + record + " twice");
            seen[record] = true;
            sourceIndex[i] = record;
            assertEquals(IdxDatasetTest.label(record), flat[i * (1 + RECORD)], "label of record " + record);
            for (int p = 0; p < RECORD; p++) {
                assertEquals(IdxDatasetTest.pixel(record, p), flat[i * (1 + RECORD) + 1 + p], "record " + record);
            }
        }
        assertFalse(Arrays.equals(sourceIndex, java.util.stream.IntStream.range(0, TRAIN).toArray()),
                "training shards in the source's order: " + Arrays.toString(sourceIndex));
        // the same seed writes the same shards; shards.json records the order
        String again = hdfs.getURI() + "/data/again";
        prepare(again, false);
        for (int k = 0; k < 5; k++) {
            String name = ShardsDataset.shardName(Split.TRAIN, k);
            assertArrayEquals(fs.open(new Path(shards, name)).readAllBytes(), fs.open(new Path(again, name)).readAllBytes(),
                    name);
        }
        String json = new String(fs.open(new Path(shards, ShardsManifest.FILE)).readAllBytes(), "UTF-8");
        assertTrue(json.contains("\"order\" : \"shuffled\"") && json.contains("\"seed\" : 42"), json);
    }

    @Test
    void trainingFromShardsDealsEveryLabelOncePerEpochInANewOrder() {
        ImageSource fromShards = ImageSource.open(data(shards), CLASSES, new Configuration());
        List<Integer> previous = null;
        for (int epoch = 0; epoch < 2; epoch++) {
            List<Integer> records = new ArrayList<>();
            for (DataSet batch : fromShards.trainMinibatches(sc, 4, 2, 42, epoch, 0, 1).rdd().collect()) {
                for (int i = 0; i < batch.numExamples(); i++) {
                    records.add(batch.getLabels().getRow(i).argMax().getInt(0));
                }
            }
            assertEquals(TRAIN, records.size(), "epoch " + epoch);
            int[] perClass = new int[CLASSES];
            records.forEach(l -> perClass[l]++);
            int[] expected = new int[CLASSES];
            java.util.stream.IntStream.range(0, TRAIN).forEach(r -> expected[IdxDatasetTest.label(r)]++);
            assertArrayEquals(expected, perClass, "epoch " + epoch);
            assertFalse(records.equals(previous), "epoch " + epoch + " repeats the previous epoch's order");
            previous = records;
        }
    }

    /** The source record of row {@code i} of a flattened read: pixel 0 is 37 * record mod 256. */
    private static int recordOf(int[] flat, int i) {
        int p0 = flat[i * (1 + RECORD) + 1];
        for (int record = 0; record < 256; record++) {
            if (IdxDatasetTest.pixel(record, 0) == p0) {
                return record;
            }
        }
        throw new AssertionError("no record has pixel 0 = " + p0);
    }

    @Test
    void shardFilesArePlainDl4jDataSets() throws Exception {
        for (Split split : List.of(Split.TRAIN, Split.TEST)) { // prepare writes no validation folder
            int count = split == Split.TRAIN ? TRAIN : TEST;
            FileStatus[] files = fs.listStatus(new Path(shards, split.name().toLowerCase()));
            Arrays.sort(files);
            assertEquals((count + SHARD - 1) / SHARD, files.length, Arrays.toString(files));
            for (int k = 0; k < files.length; k++) {
                assertEquals(String.format("shard-%05d.bin", k), files[k].getPath().getName());
                DataSet ds = new DataSet();
                try (InputStream in = fs.open(files[k].getPath())) {
                    ds.load(in);
                }
                int n = Math.min(SHARD, count - k * SHARD);
                assertArrayEquals(new long[] {n, 1, 4, 3}, ds.getFeatures().shape());
                assertArrayEquals(new long[] {n, CLASSES}, ds.getLabels().shape());
                for (int i = 0; i < n; i++) {
                    // test shards in the source's order; training shards hold source records in a shuffled order
                    int record = split == Split.TEST ? k * SHARD + i : recordOf(new int[] {0,
                            (int) ds.getFeatures().getFloat(i, 0, 0, 0)}, 0);
                    for (int p = 0; p < RECORD; p++) {
                        assertEquals(IdxDatasetTest.pixel(record, p), ds.getFeatures().getFloat(i, 0, p / 3, p % 3));
                    }
                    assertEquals(1f, ds.getLabels().getFloat(i, IdxDatasetTest.label(record)));
                    assertEquals(1f, ds.getLabels().getRow(i).sumNumber().floatValue());
                }
            }
        }
        assertFalse(fs.exists(new Path(shards, "_tmp")), "temporary files left behind");
        String json = new String(fs.open(new Path(shards, "shards.json")).readAllBytes(), "UTF-8");
        assertTrue(json.contains("\"shard_size\" : 5") && json.contains("\"records\" : 23"), json);
    }

    @Test
    void aCompleteFolderIsNotPreparedAgain() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ShardFolder.begin(shards, idx, false, new Configuration()));
        assertTrue(e.getMessage().contains("already holds a prepared dataset") && e.getMessage().contains("--overwrite"),
                e.getMessage());
        // through the command line: refused before Spark starts, with the usage exit code
        assertEquals(2, Main.run("prepare", "--set", "data.path=\"" + idx + "\"", "--to", shards,
                "--shard-size", "5"));
        assertEquals(2, Main.run("prepare", "--set", "data.path=\"" + idx + "\"", "--to", shards,
                "--shard-size", "0"));
        // a folder of other files (here the source itself) is never written into
        e = assertThrows(ConfigException.class, () -> ShardFolder.begin(idx, shards, true, new Configuration()));
        assertTrue(e.getMessage().contains("not netslim shards") && e.getMessage().contains("train-images-idx3-ubyte"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> ShardFolder.begin(shards, shards, true, new Configuration()));
        assertTrue(e.getMessage().contains("is data.path"), e.getMessage());
        assertTrue(ShardsDataset.locate(shards, new Configuration()).count(Split.TRAIN) == TRAIN);
    }

    @Test
    void aMissingShardIsNamedOrCountedAndARerunRestoresIt() throws Exception {
        String broken = hdfs.getURI() + "/data/broken";
        prepare(broken, false);
        String missing = broken + "/train/shard-00002.bin";
        assertTrue(fs.delete(new Path(missing), false));
        ShardsDataset format = ShardsDataset.locate(broken, new Configuration());

        SparkException failed = assertThrows(SparkException.class, () -> onExecutors(List.of(new RecordRange(8, 13)),
                r -> format.read(Split.TRAIN, r, CLASSES, BadRecords.failing(), new Configuration()).size()));
        DataException cause = dataException(failed);
        assertTrue(cause.getMessage().contains(missing) && cause.getMessage().contains("missing"), cause.getMessage());
        DataException onDriver = assertThrows(DataException.class,
                () -> format.read(Split.TRAIN, new RecordRange(0, 23), CLASSES, BadRecords.failing(), new Configuration()));
        assertTrue(onDriver.getMessage().startsWith(missing), onDriver.getMessage());

        BadRecords skip = new BadRecords("skip").onSpark(sc);
        List<RecordRange> ranges = List.of(new RecordRange(8, 12), new RecordRange(12, 23), new RecordRange(0, 8));
        List<Integer> sizes = onExecutors(ranges,
                r -> format.read(Split.TRAIN, r, CLASSES, skip, new Configuration()).size());
        assertEquals(List.of(2, 8, 8), sizes); // records 10..14 left out
        assertEquals(5, skip.skippedRecords(), skip.problems().toString()); // the shard counted once
        assertTrue(skip.problems().get(0).startsWith(missing), skip.problems().toString());

        // a rerun after a crash (no shards.json yet) rewrites the shards
        fs.delete(new Path(broken, "shards.json"), false);
        DataException incomplete = assertThrows(DataException.class, () -> ShardsDataset.locate(broken, new Configuration()));
        assertTrue(incomplete.getMessage().contains("missing shards.json"), incomplete.getMessage());
        prepare(broken, false);
        assertTrue(fs.exists(new Path(missing)));
        assertEquals(TRAIN, ShardsDataset.locate(broken, new Configuration())
                .read(Split.TRAIN, new RecordRange(0, TRAIN), CLASSES, BadRecords.failing(), new Configuration()).size());
        // --overwrite removes the complete dataset (shards.json first) before anything is written again
        ShardFolder.begin(broken, idx, true, new Configuration());
        assertFalse(fs.exists(new Path(broken, "shards.json")) || fs.exists(new Path(broken, "train")));
    }

    @Test
    void aBadLabelFollowsThePolicyLikeTheSource() {
        ShardsDataset format = ShardsDataset.locate(shards, new Configuration());
        DataException e = assertThrows(DataException.class, () -> format.read(Split.TEST, new RecordRange(0, 7), 3,
                BadRecords.failing(), new Configuration()));
        assertTrue(e.getMessage().contains("test/shard-00000.bin: record 3") && e.getMessage().contains("has label 3"),
                e.getMessage());
        BadRecords skip = new BadRecords("skip");
        ImageRecords kept = format.read(Split.TEST, new RecordRange(0, 7), 3, skip, new Configuration());
        assertEquals(3, kept.size());
        assertEquals(4, skip.skippedRecords());
    }

    private ShardWriter.Summary prepare(String to, boolean overwrite) {
        Configuration hadoop = new Configuration();
        ShardWriter writer = ShardWriter.of(data(idx), CLASSES, SHARD, 42, hadoop);
        return writer.write(sc, ShardFolder.begin(to, idx, overwrite, hadoop), hadoop);
    }

    private static JobConfig.DataConfig data(String path) {
        String format = path.endsWith("idx") ? "idx" : "shards";
        return TestNets.config("data.format=" + format, "data.path=\"" + path + "\"").data();
    }

    /** Each range read on an executor, flattened to [label, pixels...] per record. */
    private List<int[]> readOnExecutors(DatasetFormat format, Split split, List<RecordRange> ranges) {
        return onExecutors(ranges, r -> flatten(format.read(split, r, CLASSES, BadRecords.failing(), new Configuration())));
    }

    /**
     * {@code read} of each range, run on the executors. The RDD holds indices into the ranges, as in
     * ExecutorMinibatches: a Java record such as RecordRange cannot go through Spark's Kryo serializer.
     */
    private <T> List<T> onExecutors(List<RecordRange> ranges, Function<RecordRange, T> read) {
        List<RecordRange> shipped = List.copyOf(ranges);
        return sc.parallelize(java.util.stream.IntStream.range(0, ranges.size()).boxed().toList(), 2)
                .map(i -> read.call(shipped.get(i))).collect();
    }

    private static int[] flatten(ImageRecords records) {
        int[] out = new int[records.size() * (1 + RECORD)];
        for (int i = 0; i < records.size(); i++) {
            out[i * (1 + RECORD)] = records.label(i);
            for (int p = 0; p < RECORD; p++) {
                out[i * (1 + RECORD) + 1 + p] = records.pixel(i, p);
            }
        }
        return out;
    }

    private static DataException dataException(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataException d) {
                return d;
            }
            chain.add(t);
        }
        throw new AssertionError("no DataException in " + chain);
    }
}
