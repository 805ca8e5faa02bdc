package io.netslim.data;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * {@code data.format = shards}: a folder written by {@code netslim prepare}, with each split as DL4J
 * {@link DataSet} files of consecutive records ({@code train/shard-00000.bin}, ...) and {@code shards.json};
 * training reads whole shards instead of decoding the source format again.
 */
public record ShardsDataset(String root, ShardsManifest manifest) implements DatasetFormat {

    /** Opens the folder named by {@code data.path}. */
    public static ShardsDataset locate(JobConfig.DataConfig data, Configuration hadoop) {
        return locate(data.path(), hadoop);
    }

    /** Reads {@code dir/shards.json} only; the shard files are opened by {@link #read}. */
    public static ShardsDataset locate(String dir, Configuration hadoop) {
        Path base = new Path(dir);
        Path file = new Path(base, ShardsManifest.FILE);
        try {
            FileSystem fs = base.getFileSystem(hadoop);
            if (!fs.exists(base)) {
                throw new DataException("data.path " + dir + ": directory does not exist");
            }
            if (!fs.exists(file)) {
                throw new DataException("data.path " + dir + ": missing " + ShardsManifest.FILE
                        + "; expected a folder written by 'netslim prepare' (an interrupted prepare writes it last)");
            }
            String root = fs.makeQualified(base).toString();
            try (InputStream in = fs.open(file)) {
                String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                return new ShardsDataset(root, ShardsManifest.parse(text, fs.makeQualified(file).toString()));
            }
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    /** The path of shard {@code index} of {@code split}, relative to the folder. */
    public static String shardName(Split split, int index) {
        return split.name().toLowerCase(java.util.Locale.ROOT) + "/" + String.format("shard-%05d.bin", index);
    }

    /** True for the names {@link #shardName} gives (last path element). */
    static boolean isShardName(String name) {
        return name.matches("shard-\\d{5,}\\.bin");
    }

    /** {@code records} as one shard: features float NCHW with the raw pixel values, labels one-hot of {@code classes}. */
    public static DataSet shard(ImageRecords records, long[] shape, int classes) {
        int n = records.size();
        int recordSize = (int) (shape[0] * shape[1] * shape[2]);
        float[] features = new float[Math.multiplyExact(n, recordSize)];
        float[] oneHot = new float[n * classes];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < recordSize; k++) {
                features[i * recordSize + k] = records.pixel(i, k);
            }
            oneHot[i * classes + records.label(i)] = 1f;
        }
        return new DataSet(Nd4j.create(features, new long[] {n, shape[0], shape[1], shape[2]}, 'c'),
                Nd4j.create(oneHot, new long[] {n, classes}, 'c'));
    }

    @Override
    public long[] shape() {
        return manifest.shape().clone();
    }

    @Override
    public int count(Split split) {
        return manifest.count(split);
    }

    @Override
    public ImageRecords read(Split split, RecordRange range, int classes, BadRecords bad, Configuration hadoop) {
        int[] shards = manifest.shards(split);
        if (range.start() < 0 || range.end() > count(split) || range.size() < 0) {
            throw new IllegalArgumentException(root + ": " + split + " records [" + range.start() + ", "
                    + range.end() + ") outside [0, " + count(split) + ")");
        }
        int c = (int) manifest.shape()[0];
        int h = (int) manifest.shape()[1];
        int w = (int) manifest.shape()[2];
        int recordSize = c * h * w;
        byte[] pixels = new byte[Math.multiplyExact(range.size(), recordSize)];
        int[] labels = new int[range.size()];
        int kept = 0;
        long first = 0;
        for (int s = 0; s < shards.length && first < range.end(); first += shards[s], s++) {
            long from = Math.max(first, range.start());
            long to = Math.min(first + shards[s], range.end());
            if (from >= to) {
                continue;
            }
            String name = shardName(split, s);
            DataSet ds = load(name, shards[s], bad, hadoop);
            if (ds == null) {
                continue; // skipped: bad already counted the shard's records
            }
            float[] features = floats(ds.getFeatures());
            float[] oneHot = floats(ds.getLabels());
            int width = (int) ds.getLabels().size(1);
            for (int i = (int) (from - first); i < to - first; i++) {
                int label = label(oneHot, i, width);
                String record = uri(name) + ": record " + i + " (" + split.name().toLowerCase(java.util.Locale.ROOT)
                        + " record " + (first + i) + ")";
                if (label < 0) {
                    bad.reject(record, "label row is not one-hot");
                    continue;
                }
                if (label >= classes) {
                    bad.reject(record, "has label " + label + ", expected 0.." + (classes - 1)
                            + " (model.classes = " + classes + ")");
                    continue;
                }
                if (!bytes(features, i * recordSize, pixels, kept * recordSize, recordSize)) {
                    bad.reject(record, "has a pixel value that is not an integer in 0..255");
                    continue;
                }
                labels[kept++] = label;
            }
        }
        return new ImageRecords(Arrays.copyOf(pixels, kept * recordSize), Arrays.copyOf(labels, kept), c, h, w, classes);
    }

    @Override
    public String describe() {
        return "shards " + root + " (" + count(Split.TRAIN) + " train / " + count(Split.TEST) + " test records in shards of "
                + manifest.shardSize() + ", prepared from " + manifest.source() + ")";
    }

    /** The fully qualified URI of a file of the folder. */
    public String uri(String name) {
        return root + "/" + name;
    }

    /** Loads one shard file and checks its shapes; null when it cannot be used and {@code bad} skips. */
    private DataSet load(String name, int records, BadRecords bad, Configuration hadoop) {
        String uri = uri(name);
        DataSet ds = new DataSet();
        Path path = new Path(uri);
        try (InputStream in = new BufferedInputStream(path.getFileSystem(hadoop).open(path), 1 << 16)) {
            ds.load(in);
        } catch (FileNotFoundException e) {
            bad.reject(uri, "missing (expected a shard of " + records + " records, as listed in " + ShardsManifest.FILE
                    + ")", records);
            return null;
        } catch (IOException | RuntimeException e) {
            bad.reject(uri, "cannot be read (" + e + "); expected a DL4J DataSet file of " + records + " records",
                    records);
            return null;
        }
        long[] expected = {records, manifest.shape()[0], manifest.shape()[1], manifest.shape()[2]};
        INDArray f = ds.getFeatures();
        INDArray l = ds.getLabels();
        if (f == null || !Arrays.equals(f.shape(), expected) || l == null || l.rank() != 2 || l.size(0) != records) {
            bad.reject(uri, "features " + (f == null ? "missing" : Arrays.toString(f.shape())) + " and labels "
                    + (l == null ? "missing" : Arrays.toString(l.shape())) + ", expected features "
                    + Arrays.toString(expected) + " and " + records + " one-hot label rows", records);
            return null;
        }
        return ds;
    }

    private static float[] floats(INDArray a) {
        INDArray f = a.dataType() == DataType.FLOAT ? a : a.castTo(DataType.FLOAT);
        return f.dup('c').data().asFloat();
    }

    /** The index of the single 1 in row {@code i}, or -1 when the row is not one-hot. */
    private static int label(float[] oneHot, int i, int width) {
        int label = -1;
        for (int k = 0; k < width; k++) {
            float v = oneHot[i * width + k];
            if (v == 1f && label < 0) {
                label = k;
            } else if (v != 0f) {
                return -1;
            }
        }
        return label;
    }

    /** Copies one record's float pixels as bytes; false when a value is not an integer in 0..255. */
    private static boolean bytes(float[] from, int offset, byte[] to, int at, int n) {
        for (int k = 0; k < n; k++) {
            float v = from[offset + k];
            if (!(v >= 0f && v <= 255f) || v != Math.rint(v)) {
                return false;
            }
            to[at + k] = (byte) (int) v;
        }
        return true;
    }
}
