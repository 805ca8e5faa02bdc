package io.netslim.data;

import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
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
import org.nd4j.linalg.dataset.DataSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The folder format on a real (in-process) HDFS, read by the executors of a Spark local[2] context. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FolderDatasetTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withSparkAndHdfs();

    private static final int SIZE = 8;

    private MiniDFSCluster hdfs;
    private FileSystem fs;
    private JavaSparkContext sc;

    @BeforeAll
    void start() throws IOException {
        hdfs = cluster.hdfs();
        fs = hdfs.getFileSystem();
        sc = cluster.sc();
    }

    /** One image file of the round-trip dataset: where it goes and the seed of its pixels. */
    private record Image(String split, String cls, String name, int seed) {
    }

    @Test
    void executorsDecodeEveryPixelAndLabelInSortedOrder() throws IOException {
        String dir = hdfs.getURI() + "/round";
        List<Image> images = new ArrayList<>();
        int seed = 0;
        // Names sort as "Img3.png" < "img10.png" < "img2.PNG" (extensions are case-insensitive).
        java.util.Map<String, List<Integer>> perClass = java.util.Map.of("train", List.of(3, 2, 3),
                "val", List.of(1, 2, 1));
        for (String split : List.of("train", "val")) {
            for (String cls : List.of("cat", "ant", "bee")) {
                int n = perClass.get(split).get(List.of("cat", "ant", "bee").indexOf(cls));
                for (int i = 0; i < n; i++) {
                    images.add(new Image(split, cls, List.of("img2.PNG", "img10.png", "Img3.png").get(i), seed++));
                }
            }
        }
        for (Image im : images) {
            put(dir + "/" + im.split + "/" + im.cls + "/" + im.name, png(patterned(im.seed)));
        }
        put(dir + "/train/ant/notes.txt", "not an image".getBytes(StandardCharsets.UTF_8));
        put(dir + "/train/ant/_hidden.png", png(patterned(99)));

        FolderDataset format = (FolderDataset) DatasetFormats.open(data(dir, "fail"), new Configuration());
        assertEquals(List.of("ant", "bee", "cat"), format.classes());
        assertEquals(List.of(3L, 8L, 8L), java.util.Arrays.stream(format.shape()).boxed().toList());
        for (Split split : Split.values()) {
            String name = split == Split.TRAIN ? "train" : "val";
            List<Image> expected = images.stream().filter(im -> im.split.equals(name))
                    .sorted(Comparator.comparing(Image::cls).thenComparing(Image::name)).toList();
            assertEquals(expected.size(), format.count(split));
            List<RecordRange> ranges = RecordRange.split(format.count(split), 3);
            // Range indices travel, as in ImageSource: Kryo cannot serialise a Java record such as RecordRange.
            List<Integer> indices = java.util.stream.IntStream.range(0, ranges.size()).boxed().toList();
            List<ImageRecords> parts = sc.parallelize(indices, 2).map(k -> format.read(split, ranges.get(k), 3,
                    BadRecords.failing(), new Configuration())).collect();
            int i = 0;
            for (ImageRecords part : parts) {
                for (int r = 0; r < part.size(); r++, i++) {
                    Image im = expected.get(i);
                    assertEquals(format.classes().indexOf(im.cls), part.label(r), im.toString());
                    for (int c = 0; c < 3; c++) {
                        for (int y = 0; y < SIZE; y++) {
                            for (int x = 0; x < SIZE; x++) {
                                assertEquals(value(im.seed, x, y, c), part.pixel(r, (c * SIZE + y) * SIZE + x),
                                        im + " channel " + c + " at " + x + "," + y);
                            }
                        }
                    }
                }
            }
            assertEquals(expected.size(), i);
        }
    }

    @Test
    void jpegGrayscaleAndOtherSizesDecodeToRgbOfTheConfiguredSize() throws IOException {
        String dir = hdfs.getURI() + "/kinds";
        BufferedImage gray = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                gray.getRaster().setSample(x, y, 0, (y * SIZE + x) * 4 + 1);
            }
        }
        put(dir + "/train/gray/g.png", png(gray));
        put(dir + "/train/jpeg/p.JPG", encode(solid(SIZE, 200, 100, 50), "jpg"));
        put(dir + "/train/large/b.png", png(solid(16, 10, 20, 30)));
        put(dir + "/train/small/s.jpeg", encode(solid(4, 0, 0, 0), "jpg"));
        put(dir + "/train/small/t.png", png(solid(4, 250, 5, 128)));
        BufferedImage blocks = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                blocks.setRGB(x, y, rgb(x / 2 * 30, y / 2 * 30, 7));
            }
        }
        put(dir + "/train/wide/q.png", png(blocks));
        BufferedImage palette = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_INDEXED);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                palette.setRGB(x, y, rgb(0x33, 0x66, 0x99)); // in the default 6x6x6 colour cube
            }
        }
        put(dir + "/train/palette/i.png", png(palette));
        put(dir + "/val/gray/g.png", png(gray));

        FolderDataset format = (FolderDataset) DatasetFormats.open(data(dir, "fail"), new Configuration());
        assertEquals(List.of("gray", "jpeg", "large", "palette", "small", "wide"), format.classes());
        ImageRecords r = format.read(Split.TRAIN, new RecordRange(0, 7), 6, BadRecords.failing(), new Configuration());
        assertEquals(7, r.size());
        int plane = SIZE * SIZE;
        for (int k = 0; k < plane; k++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(k * 4 + 1, r.pixel(0, c * plane + k), "grayscale: three equal channels, stored values");
                assertEquals(new int[] {200, 100, 50}[c], r.pixel(1, c * plane + k), 4, "JPEG within its loss");
                assertEquals(new int[] {10, 20, 30}[c], r.pixel(2, c * plane + k), "16x16 -> 8x8 of one colour");
                assertEquals(new int[] {0x33, 0x66, 0x99}[c], r.pixel(3, c * plane + k), "palette PNG");
                assertEquals(0, r.pixel(4, c * plane + k), 2, "4x4 JPEG -> 8x8");
                assertEquals(new int[] {250, 5, 128}[c], r.pixel(5, c * plane + k), "4x4 -> 8x8 of one colour");
            }
            int x = k % SIZE;
            int y = k / SIZE;
            assertEquals(x * 30, r.pixel(6, k), "2x2 blocks average to one pixel");
            assertEquals(y * 30, r.pixel(6, plane + k));
            assertEquals(7, r.pixel(6, 2 * plane + k));
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 4, 5), java.util.stream.IntStream.range(0, 7).map(r::label).boxed()
                .toList());
    }

    @Test
    void failPolicyNamesTheBadFileOrFolder() throws IOException {
        String dir = hdfs.getURI() + "/bad";
        put(dir + "/train/a/ok.png", png(patterned(1)));
        put(dir + "/train/a/x.jpg", garbage());
        put(dir + "/train/b/ok.png", png(patterned(2)));
        put(dir + "/val/a/ok.png", png(patterned(3)));
        FolderDataset format = (FolderDataset) DatasetFormats.open(data(dir, "fail"), new Configuration());
        DataException e = assertThrows(DataException.class, () -> format.read(Split.TRAIN, new RecordRange(0, 3), 2,
                BadRecords.failing(), new Configuration()));
        assertTrue(e.getMessage().contains("/bad/train/a/x.jpg: cannot be decoded as an image ("), e.getMessage());
        e = assertThrows(DataException.class, () -> format.read(Split.TRAIN, new RecordRange(2, 3), 1,
                BadRecords.failing(), new Configuration()));
        assertTrue(e.getMessage().contains("/bad/train/b/ok.png: class folder 'b' is class 1, expected 0..0"),
                e.getMessage());

        fs.mkdirs(new Path(dir + "/train/c"));
        e = assertThrows(DataException.class, () -> DatasetFormats.open(data(dir, "fail"), new Configuration()));
        assertTrue(e.getMessage().contains("/bad/train/c: empty class folder"), e.getMessage());

        e = assertThrows(DataException.class, () -> DatasetFormats.open(data(hdfs.getURI() + "/nope", "fail"),
                new Configuration()));
        assertTrue(e.getMessage().contains("/nope: directory does not exist; expected train/<class>/"), e.getMessage());
        put(hdfs.getURI() + "/notrain/val/a/ok.png", png(patterned(4)));
        e = assertThrows(DataException.class, () -> DatasetFormats.open(data(hdfs.getURI() + "/notrain", "skip"),
                new Configuration()));
        assertTrue(e.getMessage().contains("/notrain: no train/ folder; expected train/<class>/"), e.getMessage());
        put(hdfs.getURI() + "/extra/train/a/ok.png", png(patterned(5)));
        put(hdfs.getURI() + "/extra/test/z/ok.png", png(patterned(6)));
        e = assertThrows(DataException.class, () -> DatasetFormats.open(data(hdfs.getURI() + "/extra", "skip"),
                new Configuration()));
        assertTrue(e.getMessage().contains("/extra/test: class folder(s) [z] have no counterpart"), e.getMessage());
    }

    @Test
    void skipPolicyLeavesBadFilesOutKeepsClassIndicesAndReportsOnce() throws IOException {
        String dir = hdfs.getURI() + "/skip";
        put(dir + "/train/a/1.png", png(patterned(1)));
        put(dir + "/train/a/x.jpg", garbage());
        put(dir + "/train/a/zero.png", zeroWidthPng());
        fs.mkdirs(new Path(dir + "/train/b"));
        put(dir + "/train/c/1.png", png(patterned(2)));
        put(dir + "/train/c/2.png", png(patterned(3)));
        put(dir + "/val/a/1.png", png(patterned(4)));
        put(dir + "/val/c/1.png", png(patterned(5)));

        ImageSource source = ImageSource.open(data(dir, "skip"), 3, new Configuration());
        assertEquals(5, source.trainCount()); // listed; what cannot be decoded is found by the executors
        List<DataSet> batches = source.trainMinibatches(sc, 2, 2, 7, 0, 0, 1).rdd().collect();
        int[] perClass = new int[3];
        for (DataSet b : batches) {
            for (int i = 0; i < b.numExamples(); i++) {
                perClass[b.getLabels().getRow(i).argMax().getInt(0)]++;
            }
        }
        assertEquals(List.of(1, 0, 2), List.of(perClass[0], perClass[1], perClass[2])); // c keeps index 2
        ImageRecords train = source.loadTrain(); // again, on the driver: the same problems count once
        assertEquals(List.of(0, 2, 2), List.of(train.label(0), train.label(1), train.label(2)));
        assertEquals(value(2, 3, 4, 1), train.pixel(1, (SIZE + 4) * SIZE + 3));
        assertEquals(2, source.loadTest().size());

        BadRecords bad = source.badRecords();
        String problems = String.join("\n", bad.problems());
        assertEquals(2, bad.skippedRecords(), problems);
        assertEquals(3, bad.problems().size(), problems);
        assertTrue(problems.contains("/skip/train/a/x.jpg: cannot be decoded as an image ("), problems);
        assertTrue(problems.contains("/skip/train/a/zero.png: cannot be decoded as an image (IIOException"), problems);
        assertTrue(problems.contains("/skip/train/b: empty class folder"), problems);

        DataException e = assertThrows(DataException.class,
                () -> ImageSource.open(data(dir, "fail"), 3, new Configuration()));
        assertTrue(e.getMessage().contains("/skip/train/b: empty class folder"), e.getMessage());
    }

    private static JobConfig.DataConfig data(String dir, String policy) {
        return TestNets.config("data.format=folder", "data.path=\"" + dir + "\"", "data.image-size=" + SIZE,
                "data.on-bad-record=" + policy).data();
    }

    private void put(String path, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(path))) {
            out.write(bytes);
        }
    }

    static int value(int seed, int x, int y, int c) {
        return (seed * 29 + x * 31 + y * 17 + c * 85) & 0xff;
    }

    private static BufferedImage patterned(int seed) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                image.setRGB(x, y, rgb(value(seed, x, y, 0), value(seed, x, y, 1), value(seed, x, y, 2)));
            }
        }
        return image;
    }

    private static BufferedImage solid(int size, int r, int g, int b) {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                image.setRGB(x, y, rgb(r, g, b));
            }
        }
        return image;
    }

    private static int rgb(int r, int g, int b) {
        return (r << 16) | (g << 8) | b;
    }

    private static byte[] png(BufferedImage image) throws IOException {
        return encode(image, "png");
    }

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(image, format, out), "no ImageIO writer for " + format);
        return out.toByteArray();
    }

    /** Bytes no ImageIO reader recognises (the first ones rule out every format's signature). */
    private static byte[] garbage() {
        byte[] bytes = new byte[1000];
        new Random(1).nextBytes(bytes);
        byte[] head = "not an image".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, bytes, 0, head.length);
        return bytes;
    }

    /** A PNG whose header says it is 0 pixels wide (a valid chunk, CRC and all). */
    private static byte[] zeroWidthPng() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeBytes("IHDR");
        h.writeInt(0);
        h.writeInt(4);
        h.write(new byte[] {8, 2, 0, 0, 0});
        out.writeInt(13);
        out.write(ihdr.toByteArray());
        CRC32 crc = new CRC32();
        crc.update(ihdr.toByteArray());
        out.writeInt((int) crc.getValue());
        out.writeInt(0);
        out.writeBytes("IEND");
        out.writeInt(0xAE426082);
        return bytes.toByteArray();
    }
}
