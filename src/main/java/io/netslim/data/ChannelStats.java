package io.netslim.data;

import org.apache.spark.api.java.JavaSparkContext;

import java.io.Serializable;
import java.util.List;

/**
 * Per-channel mean and standard deviation of the training split, in one distributed pass: each executor
 * reads its own ranges and sums pixels and squared pixels per channel; the driver adds the partial sums.
 */
public final class ChannelStats implements Serializable {
    private final double[] sum;
    private final double[] squares;
    private long pixelsPerChannel;

    private ChannelStats(int channels) {
        this.sum = new double[channels];
        this.squares = new double[channels];
    }

    /** The training split's statistics, computed on the executors of {@code sc} over {@code parts} ranges. */
    static Normalization compute(JavaSparkContext sc, SharedFormat format, int channels, int count, int classes,
                                 BadRecords bad, int parts) {
        List<RecordRange> ranges = RecordRange.split(count, parts);
        BadRecords onSpark = bad.onSpark(sc);
        // The RDD holds indices into the ranges: Spark's Kryo cannot serialise Java records.
        List<Integer> indices = java.util.stream.IntStream.range(0, ranges.size()).boxed().toList();
        ChannelStats total = sc.parallelize(indices, ranges.size())
                .map(i -> of(format.get().read(Split.TRAIN, ranges.get(i), classes, onSpark, ExecutorHadoop.conf()), channels))
                .reduce(ChannelStats::plus);
        return total.normalization();
    }

    /** The statistics of one block of records. */
    static ChannelStats of(ImageRecords records, int channels) {
        ChannelStats s = new ChannelStats(channels);
        int recordSize = records.recordSize();
        int plane = recordSize / channels;
        for (int i = 0; i < records.size(); i++) {
            for (int k = 0; k < recordSize; k++) {
                double x = records.pixel(i, k) / 255.0;
                s.sum[k / plane] += x;
                s.squares[k / plane] += x * x;
            }
        }
        s.pixelsPerChannel = (long) records.size() * plane;
        return s;
    }

    private ChannelStats plus(ChannelStats o) {
        ChannelStats s = new ChannelStats(sum.length);
        for (int c = 0; c < sum.length; c++) {
            s.sum[c] = sum[c] + o.sum[c];
            s.squares[c] = squares[c] + o.squares[c];
        }
        s.pixelsPerChannel = pixelsPerChannel + o.pixelsPerChannel;
        return s;
    }

    /** Mean and (population) standard deviation per channel; a constant channel gets std 1. */
    Normalization normalization() {
        if (pixelsPerChannel == 0) {
            throw new DataException("data.normalize = auto: the training split has no usable records");
        }
        float[] mean = new float[sum.length];
        float[] std = new float[sum.length];
        for (int c = 0; c < sum.length; c++) {
            double m = sum[c] / pixelsPerChannel;
            double var = Math.max(0, squares[c] / pixelsPerChannel - m * m);
            mean[c] = (float) m;
            std[c] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
        }
        return new Normalization(mean, std);
    }
}
