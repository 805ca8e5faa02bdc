package io.netslim.data;

import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxDatasetTest {
    private static final int H = 4;
    private static final int W = 3;

    @Test
    void plainAndGzippedFilesDecodeToTheWrittenPixelsAndLabels(@TempDir Path dir) throws IOException {
        writeDataset(dir, 10, 5, true);
        ImageSource source = ImageSource.open(dataConfig(dir), 10, new Configuration());
        assertEquals(10, source.trainCount());
        assertEquals(5, source.testCount());
        ImageRecords train = source.loadTrain();
        DataSet batch = train.batch(train.order(null), 0, 10, Augmentation.NONE, Normalization.NONE, null);
        for (int i = 0; i < 10; i++) {
            for (int p = 0; p < H * W; p++) {
                assertEquals(pixel(i, p) / 255f, batch.getFeatures().getFloat(i, 0, p / W, p % W), 1e-7);
            }
            assertEquals(1f, batch.getLabels().getFloat(i, label(i)));
        }
    }

    @Test
    void truncatedFileNamesTheFileAndTheRecord(@TempDir Path dir) throws IOException {
        writeDataset(dir, 10, 5, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] all = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(all, all.length - 5));
        ImageSource source = ImageSource.open(dataConfig(dir), 10, new Configuration());
        DataException e = assertThrows(DataException.class, source::loadTrain);
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte") && e.getMessage().contains("truncated"),
                e.getMessage());
    }

    @Test
    void wrongMagicNumberIsRejected(@TempDir Path dir) throws IOException {
        writeDataset(dir, 10, 5, false);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        byte[] all = Files.readAllBytes(labels);
        all[3] = 3; // claims 3 dimensions
        Files.write(labels, all);
        DataException e = assertThrows(DataException.class,
                () -> ImageSource.open(dataConfig(dir), 10, new Configuration()));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains("magic"),
                e.getMessage());
    }

    @Test
    void aFileOrFolderThatIsNotTheFormatFailsUnderSkipToo(@TempDir Path dir) throws IOException {
        // Skipping works record by record; a file with a wrong magic number has no records to keep.
        writeDataset(dir, 10, 5, false);
        Path labels = dir.resolve("t10k-labels-idx1-ubyte");
        byte[] all = Files.readAllBytes(labels);
        all[2] = 9;
        Files.write(labels, all);
        JobConfig.DataConfig skip = TestNets.config("data.path=\"" + dir + "\"", "data.on-bad-record=skip").data();
        DataException e = assertThrows(DataException.class, () -> ImageSource.open(skip, 10, new Configuration()));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte") && e.getMessage().contains("magic"),
                e.getMessage());
        JobConfig.DataConfig missing = TestNets.config("data.path=\"" + dir.resolve("nope") + "\"",
                "data.on-bad-record=skip").data();
        e = assertThrows(DataException.class, () -> ImageSource.open(missing, 10, new Configuration()));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void labelOutOfRangeNamesTheRecord(@TempDir Path dir) throws IOException {
        writeDataset(dir, 10, 5, false);
        ImageSource source = ImageSource.open(dataConfig(dir), 3, new Configuration());
        DataException e = assertThrows(DataException.class, source::loadTrain);
        assertTrue(e.getMessage().contains("record 3 has label 3"), e.getMessage());
    }

    @Test
    void missingDirectoryAndFilesAreNamed(@TempDir Path dir) throws IOException {
        DataException e = assertThrows(DataException.class,
                () -> ImageSource.open(dataConfig(dir.resolve("nope")), 10, new Configuration()));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        e = assertThrows(DataException.class, () -> ImageSource.open(dataConfig(dir), 10, new Configuration()));
        assertTrue(e.getMessage().contains("missing train-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void skipPolicyLeavesBadRecordsOutAndCountsEachOnce(@TempDir Path dir) throws IOException {
        writeDataset(dir, 10, 5, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] all = Files.readAllBytes(images);
        Files.write(images, java.util.Arrays.copyOf(all, all.length - 5)); // record 9 incomplete
        JobConfig.DataConfig skip = TestNets.config("data.path=\"" + dir + "\"", "data.on-bad-record=skip").data();
        ImageSource source = ImageSource.open(skip, 3, new Configuration()); // labels 3..9 out of range
        ImageRecords train = source.loadTrain();
        assertEquals(3, train.size()); // records 0, 1, 2
        for (int i = 0; i < 3; i++) {
            assertEquals(label(i), train.label(i));
            assertEquals(pixel(i, 5), train.pixel(i, 5));
        }
        source.loadTrain(); // read again (as in a second epoch): still counted once
        assertEquals(1 + 6, source.badRecords().skippedRecords(), source.badRecords().problems().toString());
        String problems = String.join("\n", source.badRecords().problems());
        assertTrue(problems.contains("train-images-idx3-ubyte: truncated") && problems.contains("record 9 (byte offset "
                + (16 + 9 * H * W) + ")"), problems);
        assertTrue(problems.contains("record 3 has label 3"), problems);
        // The same files under the default policy stop at the first bad record.
        DataException e = assertThrows(DataException.class,
                () -> ImageSource.open(dataConfig(dir), 3, new Configuration()).loadTrain());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void streamingVisitsEveryRecordOncePerPassHoldingOneChunk(@TempDir Path dir) throws IOException {
        writeDataset(dir, 10, 5, false);
        IdxDataset format = IdxDataset.locate(dir.toString(), new Configuration());
        StreamingIterator ordered = new StreamingIterator(format, Split.TRAIN, 10, 10, BadRecords.failing(),
                new Configuration(), 4, Augmentation.NONE, Normalization.NONE, false, 0, 3);
        assertEquals(java.util.List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), recordsOf(ordered));
        StreamingIterator shuffled = new StreamingIterator(format, Split.TRAIN, 10, 10, BadRecords.failing(),
                new Configuration(), 4, Augmentation.NONE, Normalization.NONE, true, 7, 3);
        java.util.List<Integer> first = recordsOf(shuffled);
        shuffled.reset();
        java.util.List<Integer> second = recordsOf(shuffled);
        assertEquals(java.util.Set.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), new java.util.HashSet<>(first));
        assertEquals(10, first.size());
        assertEquals(10, second.size());
        assertTrue(!first.equals(second) && !first.equals(recordsOf(ordered)), first + " " + second);
    }

    /** Which records an iterator yields, in order (pixel 0 identifies the record). */
    private static java.util.List<Integer> recordsOf(StreamingIterator it) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        it.reset();
        while (it.hasNext()) {
            DataSet b = it.next();
            for (int i = 0; i < b.numExamples(); i++) {
                int p0 = Math.round(b.getFeatures().getFloat(i, 0, 0, 0) * 255);
                for (int r = 0; r < 10; r++) {
                    if (pixel(r, 0) == p0 && Math.round(b.getFeatures().getFloat(i, 0, 0, 1) * 255) == pixel(r, 1)) {
                        out.add(r);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void channelStatisticsAndNormalizationAreExact(@TempDir Path dir) throws IOException {
        writeDataset(dir, 10, 5, false);
        ImageRecords train = ImageSource.open(dataConfig(dir), 10, new Configuration()).loadTrain();
        double sum = 0;
        double squares = 0;
        for (int i = 0; i < 10; i++) {
            for (int p = 0; p < H * W; p++) {
                sum += pixel(i, p) / 255.0;
                squares += (pixel(i, p) / 255.0) * (pixel(i, p) / 255.0);
            }
        }
        double mean = sum / (10 * H * W);
        double std = Math.sqrt(squares / (10 * H * W) - mean * mean);
        Normalization n = ChannelStats.of(train, 1).normalization();
        assertEquals(mean, n.mean()[0], 1e-6);
        assertEquals(std, n.std()[0], 1e-6);
        DataSet batch = train.batch(train.order(null), 0, 10, Augmentation.NONE, n, null);
        assertEquals((pixel(3, 5) / 255.0 - mean) / std, batch.getFeatures().getFloat(3, 0, 5 / W, 5 % W), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> new Normalization(new float[] {0.5f}, new float[] {0f}));
    }

    @Test
    void augmentationFlipsAndShiftsWithinThePaddedFrame() {
        float[] img = new float[H * W];
        for (int i = 0; i < img.length; i++) {
            img[i] = i + 1;
        }
        float[] flipped = img.clone();
        new Augmentation(true, 0).apply(flipped, 0, 1, H, W, new float[H * W], new java.util.Random(1) {
            @Override
            public boolean nextBoolean() {
                return true;
            }
        });
        assertEquals(img[W - 1], flipped[0]);
        assertEquals(img[0], flipped[W - 1]);
        float[] sum = img.clone();
        new Augmentation(false, 1).apply(sum, 0, 1, H, W, new float[H * W], new java.util.Random(5));
        // A shift by at most one pixel keeps values from the image or zero padding only.
        for (float v : sum) {
            assertTrue(v == 0 || (v >= 1 && v <= H * W));
        }
    }

    private static JobConfig.DataConfig dataConfig(Path dir) {
        return TestNets.config("data.path=\"" + dir + "\"").data();
    }

    static int pixel(int record, int p) {
        return (record * 37 + p * 11) % 256;
    }

    static int label(int record) {
        return record % 10;
    }

    /** Writes a tiny IDX dataset; training files gzipped when {@code gzipTrain}. */
    static void writeDataset(Path dir, int train, int test, boolean gzipTrain) throws IOException {
        writeImages(dir.resolve("train-images-idx3-ubyte" + (gzipTrain ? ".gz" : "")), train, gzipTrain);
        writeLabels(dir.resolve("train-labels-idx1-ubyte" + (gzipTrain ? ".gz" : "")), train, gzipTrain);
        writeImages(dir.resolve("t10k-images-idx3-ubyte"), test, false);
        writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), test, false);
    }

    private static void writeImages(Path path, int n, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(path, gzip))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(H);
            out.writeInt(W);
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < H * W; p++) {
                    out.writeByte(pixel(i, p));
                }
            }
        }
    }

    private static void writeLabels(Path path, int n, boolean gzip) throws IOException {
        try (DataOutputStream out = new DataOutputStream(open(path, gzip))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeByte(label(i));
            }
        }
    }

    private static OutputStream open(Path path, boolean gzip) throws IOException {
        OutputStream out = new FileOutputStream(path.toFile());
        return gzip ? new GZIPOutputStream(out) : out;
    }
}
