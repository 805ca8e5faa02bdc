package io.netslim.data;

import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CIFAR-10/100 binary files on a real (in-process) HDFS, read by byte range on Spark local[2] executors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CifarDatasetTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withSparkAndHdfs();

    private static final int PIXELS = 3 * 32 * 32;
    private static final int RECORD_10 = 1 + PIXELS;
    private static final int RECORD_100 = 2 + PIXELS;

    @TempDir
    static java.nio.file.Path tmp;
    private MiniDFSCluster hdfs;
    private FileSystem fs;
    private JavaSparkContext sc;

    @BeforeAll
    void start() throws IOException {
        hdfs = cluster.hdfs();
        fs = hdfs.getFileSystem();
        sc = cluster.sc();
        // CIFAR-10 as its tarball unpacks (sub-folder, with a file that is not a batch), CIFAR-100 directly.
        write("c10/cifar-10-batches-bin/data_batch_1.bin", cifar10(0, 7));
        write("c10/cifar-10-batches-bin/data_batch_2.bin", cifar10(7, 5));
        write("c10/cifar-10-batches-bin/test_batch.bin", cifar10(100, 4));
        write("c10/cifar-10-batches-bin/batches.meta.txt", "airplane\n".getBytes());
        write("c100/train.bin", cifar100(0, 9));
        write("c100/test.bin", cifar100(50, 3));
    }

    @Test
    void cifar10ReadsByteRangesOnTheExecutorsAcrossFileBoundaries() {
        DatasetFormat format = open("c10");
        assertInstanceOf(CifarDataset.class, format);
        assertArrayEquals(new long[] {3, 32, 32}, format.shape());
        assertEquals(12, format.count(Split.TRAIN));
        assertEquals(4, format.count(Split.TEST));
        assertTrue(format.describe().contains("CIFAR-10") && format.describe().contains("12 training records"),
                format.describe());
        List<RecordRange> ranges = List.of(new RecordRange(0, 3), new RecordRange(3, 9), new RecordRange(9, 12));
        assertRecords(onExecutors(format, Split.TRAIN, ranges, 10, BadRecords.failing()), range(0, 12),
                CifarDatasetTest::label10);
        ImageRecords test = format.read(Split.TEST, new RecordRange(1, 4), 10, BadRecords.failing(),
                new Configuration());
        assertRecords(rows(test), range(101, 104), CifarDatasetTest::label10);
    }

    @Test
    void cifar100UsesTheFineOrTheCoarseLabel() {
        DatasetFormat fine = open("c100");
        assertEquals(9, fine.count(Split.TRAIN));
        assertEquals(3, fine.count(Split.TEST));
        assertArrayEquals(new long[] {3, 32, 32}, fine.shape());
        List<RecordRange> ranges = List.of(new RecordRange(0, 4), new RecordRange(4, 9));
        assertRecords(onExecutors(fine, Split.TRAIN, ranges, 100, BadRecords.failing()), range(0, 9),
                CifarDatasetTest::fine);
        DatasetFormat coarse = open("c100", "data.cifar-labels=coarse");
        assertTrue(coarse.describe().contains("coarse labels"), coarse.describe());
        assertRecords(onExecutors(coarse, Split.TRAIN, ranges, 20, BadRecords.failing()), range(0, 9),
                CifarDatasetTest::coarse);
        ImageRecords test = coarse.read(Split.TEST, new RecordRange(0, 3), 20, BadRecords.failing(),
                new Configuration());
        assertRecords(rows(test), range(50, 53), CifarDatasetTest::coarse);
    }

    @Test
    void truncatedFileFailsWhenOpenedOrItsIncompleteRecordIsSkippedOnce() throws IOException {
        byte[] first = cifar10(0, 7);
        write("trunc/data_batch_1.bin", Arrays.copyOf(first, first.length - 100)); // record 6 incomplete
        write("trunc/data_batch_2.bin", cifar10(7, 5));
        write("trunc/test_batch.bin", cifar10(100, 4));
        DataException e = assertThrows(DataException.class, () -> open("trunc"));
        String m = e.getMessage();
        assertTrue(m.contains("data_batch_1.bin") && m.contains("length " + (7 * RECORD_10 - 100))
                && m.contains("record size " + RECORD_10) && m.contains("byte offset " + 6 * RECORD_10), m);

        DatasetFormat format = open("trunc", "data.on-bad-record=skip");
        assertEquals(11, format.count(Split.TRAIN));
        BadRecords bad = new BadRecords("skip").onSpark(sc);
        List<RecordRange> ranges = List.of(new RecordRange(0, 4), new RecordRange(4, 8), new RecordRange(8, 11));
        int[] expected = IntStream.concat(IntStream.range(0, 6), IntStream.range(7, 12)).toArray();
        assertRecords(onExecutors(format, Split.TRAIN, ranges, 10, bad), expected, CifarDatasetTest::label10);
        onExecutors(format, Split.TRAIN, ranges, 10, bad); // a second epoch: still counted once
        assertEquals(1, bad.skippedRecords(), bad.problems().toString());
        String problem = bad.problems().get(0);
        assertTrue(problem.contains("data_batch_1.bin") && problem.contains("byte offset " + 6 * RECORD_10), problem);
        assertEquals(4, format.read(Split.TEST, new RecordRange(0, 4), 10, BadRecords.failing(),
                new Configuration()).size());
    }

    @Test
    void labelsOutOfRangeFailNamingTheRecordOrAreLeftOut() {
        DatasetFormat format = open("c10");
        DataException e = assertThrows(DataException.class, () -> format.read(Split.TRAIN, new RecordRange(0, 12),
                5, BadRecords.failing(), new Configuration()));
        assertTrue(e.getMessage().contains("data_batch_1.bin: record 2 (byte offset " + 2 * RECORD_10
                + ") has label 7, expected 0..4 (model.classes = 5)"), e.getMessage());

        BadRecords bad = new BadRecords("skip").onSpark(sc);
        List<RecordRange> ranges = List.of(new RecordRange(0, 6), new RecordRange(6, 12));
        int[] kept = IntStream.range(0, 12).filter(g -> label10(g) < 5).toArray();
        assertRecords(onExecutors(format, Split.TRAIN, ranges, 5, bad), kept, CifarDatasetTest::label10);
        assertEquals(12 - kept.length, bad.skippedRecords(), bad.problems().toString());
        assertTrue(bad.problems().stream().anyMatch(p -> p.contains("data_batch_2.bin: record 1 (byte offset "
                + RECORD_10 + ") has label 5")), bad.problems().toString());
    }

    @Test
    void missingPathOrFilesAreNamedWithTheExpectedFiles() throws IOException {
        DataException e = assertThrows(DataException.class, () -> open("nope"));
        assertTrue(e.getMessage().contains(uri("nope")) && e.getMessage().contains("does not exist"),
                e.getMessage());

        write("partial/data_batch_1.bin", cifar10(0, 2)); // no test_batch.bin
        write("partial/readme.txt", "hello".getBytes());
        e = assertThrows(DataException.class, () -> open("partial"));
        String m = e.getMessage();
        for (String s : List.of(uri("partial"), "data_batch_1.bin", "data_batch_5.bin", "test_batch.bin",
                "train.bin", "test.bin", "cifar-10-batches-bin", "cifar-100-binary")) {
            assertTrue(m.contains(s), "missing '" + s + "' in: " + m);
        }

        java.nio.file.Path local = java.nio.file.Files.createDirectories(tmp.resolve("empty"));
        e = assertThrows(DataException.class, () -> DatasetFormats.open(TestNets.config("data.format=cifar",
                "data.path=\"" + local + "\"").data(), new Configuration()));
        assertTrue(e.getMessage().contains(local.toString()) && e.getMessage().contains("none"), e.getMessage());

        write("both/cifar-10-batches-bin/data_batch_1.bin", cifar10(0, 1));
        write("both/cifar-10-batches-bin/test_batch.bin", cifar10(0, 1));
        write("both/cifar-100-binary/train.bin", cifar100(0, 1));
        write("both/cifar-100-binary/test.bin", cifar100(0, 1));
        e = assertThrows(DataException.class, () -> open("both"));
        assertTrue(e.getMessage().contains("more than one"), e.getMessage());
    }

    // --- reading on the executors ---

    /**
     * Reads {@code ranges} of {@code split} in Spark tasks; each record as {label, pixel 0, pixel 1, ...}. As in
     * ExecutorMinibatches, the RDD holds indices into the ranges: Spark's Kryo cannot serialize Java records.
     */
    private List<int[]> onExecutors(DatasetFormat format, Split split, List<RecordRange> ranges, int classes,
                                    BadRecords bad) {
        List<Integer> indices = IntStream.range(0, ranges.size()).boxed().toList();
        List<int[][]> parts = sc.parallelize(indices, 2)
                .map(i -> rows(format.read(split, ranges.get(i), classes, bad, new Configuration())))
                .collect();
        List<int[]> all = new ArrayList<>();
        parts.forEach(p -> all.addAll(Arrays.asList(p)));
        return all;
    }

    private static int[][] rows(ImageRecords records) {
        int[][] rows = new int[records.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new int[1 + PIXELS];
            rows[i][0] = records.label(i);
            for (int k = 0; k < PIXELS; k++) {
                rows[i][1 + k] = records.pixel(i, k);
            }
        }
        return rows;
    }

    private static void assertRecords(List<int[]> got, int[] records, IntUnaryOperator label) {
        assertEquals(records.length, got.size(), "records read");
        for (int i = 0; i < records.length; i++) {
            int g = records[i];
            int[] expected = new int[1 + PIXELS];
            expected[0] = label.applyAsInt(g);
            for (int k = 0; k < PIXELS; k++) {
                expected[1 + k] = pixel(g, k);
            }
            assertArrayEquals(expected, got.get(i), "record " + i + " (written as record " + g + ")");
        }
    }

    private static void assertRecords(int[][] got, int[] records, IntUnaryOperator label) {
        assertRecords(Arrays.asList(got), records, label);
    }

    // --- the written data ---

    private static int pixel(int record, int k) {
        return (record * 31 + k * 7) % 256;
    }

    private static int label10(int record) {
        return (record * 3 + 1) % 10;
    }

    private static int coarse(int record) {
        return record % 20;
    }

    private static int fine(int record) {
        return (record * 13 + 5) % 100;
    }

    /** CIFAR-10 records {@code first .. first+n-1}: label byte, then the pixels. */
    private static byte[] cifar10(int first, int n) {
        byte[] b = new byte[n * RECORD_10];
        for (int i = 0; i < n; i++) {
            b[i * RECORD_10] = (byte) label10(first + i);
            pixels(b, i * RECORD_10 + 1, first + i);
        }
        return b;
    }

    /** CIFAR-100 records {@code first .. first+n-1}: coarse label byte, fine label byte, then the pixels. */
    private static byte[] cifar100(int first, int n) {
        byte[] b = new byte[n * RECORD_100];
        for (int i = 0; i < n; i++) {
            b[i * RECORD_100] = (byte) coarse(first + i);
            b[i * RECORD_100 + 1] = (byte) fine(first + i);
            pixels(b, i * RECORD_100 + 2, first + i);
        }
        return b;
    }

    private static void pixels(byte[] b, int offset, int record) {
        for (int k = 0; k < PIXELS; k++) {
            b[offset + k] = (byte) pixel(record, k);
        }
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    private String uri(String dir) {
        return hdfs.getURI() + "/" + dir;
    }

    private void write(String file, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(uri(file)), true)) {
            out.write(bytes);
        }
    }

    private DatasetFormat open(String dir, String... overrides) {
        String[] all = Stream.concat(Stream.of("data.format=cifar", "data.path=\"" + uri(dir) + "\""),
                Stream.of(overrides)).toArray(String[]::new);
        return DatasetFormats.open(TestNets.config(all).data(), new Configuration());
    }
}
