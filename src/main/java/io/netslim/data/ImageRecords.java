package io.netslim.data;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * A block of raw image records (unsigned bytes, CHW) with their labels, turned into DL4J minibatches:
 * pixels scaled to [0, 1], optional augmentation, one-hot labels.
 */
public final class ImageRecords {
    private final byte[] pixels;
    private final int[] labels;
    private final int channels;
    private final int height;
    private final int width;
    private final int classes;

    /** Records of {@code channels x height x width} unsigned bytes each, with labels in [0, classes). */
    public ImageRecords(byte[] pixels, int[] labels, int channels, int height, int width, int classes) {
        if ((long) labels.length * channels * height * width != pixels.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + pixels.length + " bytes of "
                    + channels + "x" + height + "x" + width + " images");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
    }

    /** The label of record {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** Unsigned pixel {@code k} (CHW order) of record {@code i}. */
    public int pixel(int i, int k) {
        return pixels[i * channels * height * width + k] & 0xff;
    }

    /** Bytes per record (channels x height x width). */
    public int recordSize() {
        return channels * height * width;
    }

    /** Number of records. */
    public int size() {
        return labels.length;
    }

    /** The records {@code order[from..to)} as one minibatch. */
    public DataSet batch(int[] order, int from, int to, Augmentation augmentation, Normalization normalization,
                         Random rnd) {
        int n = to - from;
        int recordSize = channels * height * width;
        float[] features = new float[n * recordSize];
        float[] oneHot = new float[n * classes];
        float[] scratch = new float[height * width];
        for (int i = 0; i < n; i++) {
            int r = order[from + i];
            int src = r * recordSize;
            int dst = i * recordSize;
            for (int k = 0; k < recordSize; k++) {
                features[dst + k] = (pixels[src + k] & 0xff) / 255f;
            }
            augmentation.apply(features, dst, channels, height, width, scratch, rnd);
            normalization.apply(features, dst, channels, height, width);
            oneHot[i * classes + labels[r]] = 1f;
        }
        INDArray f = Nd4j.create(features, new long[] {n, channels, height, width}, 'c');
        INDArray l = Nd4j.create(oneHot, new long[] {n, classes}, 'c');
        return new DataSet(f, l);
    }

    /** A permutation of all records, shuffled with {@code rnd} (identity when rnd is null). */
    public int[] order(Random rnd) {
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (rnd != null) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}
