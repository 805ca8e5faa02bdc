package io.netslim.data;

import io.netslim.testing.TestNets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Writes labelled images as a dataset in any of our formats, in the order asked for: class by class (as
 * big datasets are usually stored) or shuffled. Tests use it, and its {@link #main} makes the datasets
 * the read and accuracy measurements in docs/performance.md ran on.
 */
public final class Datasets {
    private Datasets() {
    }

    /** Images of {@code channels x side x side} unsigned bytes (CHW) with labels. */
    public record Images(byte[] pixels, int[] labels, int channels, int side) {
        public int size() {
            return labels.length;
        }

        int recordSize() {
            return channels * side * side;
        }

        /** The images in the order {@code order} (indices into this set). */
        public Images select(int[] order) {
            int size = recordSize();
            byte[] p = new byte[order.length * size];
            int[] l = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                System.arraycopy(pixels, order[i] * size, p, i * size, size);
                l[i] = labels[order[i]];
            }
            return new Images(p, l, channels, side);
        }

        /** All images of class 0 first, then class 1, ... (stable: within a class, the current order). */
        public Images classOrdered() {
            return select(IntStream.range(0, size()).boxed()
                    .sorted(java.util.Comparator.comparingInt(i -> labels[i])).mapToInt(Integer::intValue).toArray());
        }

        /** The images in a random order drawn from {@code seed}. */
        public Images shuffled(long seed) {
            int[] order = IntStream.range(0, size()).toArray();
            Random rnd = new Random(seed);
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            return select(order);
        }

        /** The first {@code n} images. */
        public Images head(int n) {
            return select(IntStream.range(0, Math.min(n, size())).toArray());
        }

        /** Three channels of {@code side + 2 * pad} pixels: each grey image centred and copied to R, G and B. */
        public Images asRgb(int pad) {
            int out = side + 2 * pad;
            byte[] p = new byte[size() * 3 * out * out];
            for (int i = 0; i < size(); i++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < side; y++) {
                        System.arraycopy(pixels, i * recordSize() + (channels == 3 ? c * side * side : 0) + y * side,
                                p, ((i * 3 + c) * out + y + pad) * out + pad, side);
                    }
                }
            }
            return new Images(p, labels.clone(), 3, out);
        }
    }

    /** The first {@code n} images of Fashion-MNIST's training (or test) split, as Debian ships them. */
    public static Images fashionMnist(Split split, int n) {
        DatasetFormat idx = IdxDataset.locate(TestNets.fashionMnist(), new Configuration());
        ImageRecords r = idx.read(split, new RecordRange(0, Math.min(n, idx.count(split))), 10, BadRecords.failing(),
                new Configuration());
        byte[] pixels = new byte[r.size() * r.recordSize()];
        int[] labels = new int[r.size()];
        for (int i = 0; i < r.size(); i++) {
            labels[i] = r.label(i);
            for (int k = 0; k < r.recordSize(); k++) {
                pixels[i * r.recordSize() + k] = (byte) r.pixel(i, k);
            }
        }
        return new Images(pixels, labels, 1, 28);
    }

    /** The four IDX files of an MNIST-style folder (grey images only); the training pair gzipped when asked. */
    public static void writeIdx(String dir, Images train, Images test, boolean gzip) throws IOException {
        for (boolean isTrain : new boolean[] {true, false}) {
            Images images = isTrain ? train : test;
            String prefix = isTrain ? "train" : "t10k";
            String gz = isTrain && gzip ? ".gz" : "";
            try (DataOutputStream out = new DataOutputStream(create(dir + "/" + prefix + "-images-idx3-ubyte" + gz))) {
                out.writeInt(0x00000803);
                out.writeInt(images.size());
                out.writeInt(images.side());
                out.writeInt(images.side());
                out.write(images.pixels());
            }
            try (DataOutputStream out = new DataOutputStream(create(dir + "/" + prefix + "-labels-idx1-ubyte" + gz))) {
                out.writeInt(0x00000801);
                out.writeInt(images.size());
                for (int label : images.labels()) {
                    out.writeByte(label);
                }
            }
        }
    }

    /** CIFAR-10 binary batches (3x32x32 images): training records split over {@code files} data_batch files. */
    public static void writeCifar10(String dir, Images train, Images test, int files) throws IOException {
        for (int f = 0; f < files; f++) {
            int from = (int) ((long) train.size() * f / files);
            int to = (int) ((long) train.size() * (f + 1) / files);
            writeCifarFile(dir + "/data_batch_" + (f + 1) + ".bin", train, from, to);
        }
        writeCifarFile(dir + "/test_batch.bin", test, 0, test.size());
    }

    private static void writeCifarFile(String uri, Images images, int from, int to) throws IOException {
        if (images.channels() != 3 || images.side() != 32) {
            throw new IllegalArgumentException("CIFAR records are 3x32x32, not " + images.channels() + "x"
                    + images.side() + "x" + images.side());
        }
        try (OutputStream out = create(uri)) {
            for (int i = from; i < to; i++) {
                out.write(images.labels()[i]);
                out.write(images.pixels(), i * images.recordSize(), images.recordSize());
            }
        }
    }

    /** {@code train/<class>/NNNNNN.png} and {@code val/<class>/...}; file names keep the given order within a class. */
    public static void writeFolder(String dir, Images train, Images test) throws IOException {
        for (boolean isTrain : new boolean[] {true, false}) {
            Images images = isTrain ? train : test;
            for (int i = 0; i < images.size(); i++) {
                String file = dir + "/" + (isTrain ? "train" : "val") + "/class" + images.labels()[i] + "/"
                        + String.format("%06d.png", i);
                try (OutputStream out = create(file)) {
                    out.write(png(images, i));
                }
            }
        }
    }

    private static byte[] png(Images images, int i) throws IOException {
        int side = images.side();
        BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        int plane = side * side;
        int base = i * images.recordSize();
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int[] rgb = new int[3];
                for (int c = 0; c < 3; c++) {
                    rgb[c] = images.pixels()[base + (images.channels() == 3 ? c * plane : 0) + y * side + x] & 0xff;
                }
                img.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        return bytes.toByteArray();
    }

    private static OutputStream create(String uri) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(new Configuration());
        FSDataOutputStream out = fs.create(path, true);
        return uri.endsWith(".gz") ? new java.util.zip.GZIPOutputStream(out, 1 << 16) : out;
    }

    /**
     * Writes Fashion-MNIST (the first {@code n} training images) as one format in one order:
     * {@code Datasets idx|idx-gz|cifar|folder class|random OUT_URI [n [test]]}. CIFAR and folder get 3x32x32 images.
     */
    public static void main(String[] args) throws IOException {
        String format = args[0];
        boolean classOrder = args[1].equals("class");
        String out = args[2];
        int n = args.length > 3 ? Integer.parseInt(args[3]) : 60_000;
        Images train = fashionMnist(Split.TRAIN, n);
        Images test = fashionMnist(Split.TEST, args.length > 4 ? Integer.parseInt(args[4]) : 10_000);
        train = classOrder ? train.classOrdered() : train;
        test = classOrder ? test.classOrdered() : test;
        switch (format) {
            case "idx" -> writeIdx(out, train, test, false);
            case "idx-gz" -> writeIdx(out, train, test, true);
            case "cifar" -> writeCifar10(out, train.asRgb(2), test.asRgb(2), 5);
            case "folder" -> writeFolder(out, train.asRgb(2), test.asRgb(2));
            default -> throw new IllegalArgumentException("format " + format + ": expected idx, idx-gz, cifar or folder");
        }
        System.out.println("wrote " + train.size() + " training and " + test.size() + " test images ("
                + (classOrder ? "class order" : "source order") + ") as " + format + " to " + out
                + "; first labels " + Arrays.toString(Arrays.copyOf(train.labels(), Math.min(5, train.size()))));
    }
}
