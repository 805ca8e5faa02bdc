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
import java.util.List;

/**
 * {@code data.format = shards}: a folder written by {@code netslim prepare}, with each split as DL4J
 * {@link DataSet} files ({@code train/shard-00000.bin}, ...) and {@code shards.json}; training reads whole
 * shards (each a random sample of the source, as prepare shuffles) instead of decoding the source again.
 */
public record ShardsDataset(String root, ShardsManifest manifest) implements DatasetFormat {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardsDataset.class);
    /** {@code data.format = shards}: no keys of its own (the shape and classes are in shards.json). */
    public static final DataFormat FORMAT = DataFormat.withoutKeys("shards", ShardsDataset::locate);

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
                ShardsManifest manifest = ShardsManifest.parse(text, fs.makeQualified(file).toString());
                if (manifest.trainShuffleSeed() == null) {
                    LOG.warn("{}: the training records are in the order of the source they were prepared from (an "
                            + "earlier netslim); shards are read whole, so if that source is stored class by class each "
                            + "worker sees few classes: run netslim prepare again", fs.makeQualified(file));
                }
                return new ShardsDataset(root, manifest);
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

    /**
     * {@code records} in the order {@code order} as one shard: features float NCHW with the raw pixel values,
     * labels one-hot of {@code classes}.
     */
    public static DataSet shard(ImageRecords records, int[] order, long[] shape, int classes) {
        int n = order.length;
        int recordSize = (int) (shape[0] * shape[1] * shape[2]);
        float[] features = new float[Math.multiplyExact(n, recordSize)];
        float[] oneHot = new float[n * classes];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < recordSize; k++) {
                features[i * recordSize + k] = records.pixel(order[i], k);
            }
            oneHot[i * classes + records.label(order[i])] = 1f;
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
    public ImageRecords read(Split split, List<RecordRange> ranges, int classes, BadRecords bad, Configuration hadoop) {
        int[] shards = manifest.shards(split);
        RecordRange.check(ranges, count(split), root + ": " + split);
        int c = (int) manifest.shape()[0];
        int h = (int) manifest.shape()[1];
        int w = (int) manifest.shape()[2];
        int recordSize = c * h * w;
        int total = RecordRange.total(ranges);
        byte[] pixels = new byte[Math.multiplyExact(total, recordSize)];
        int[] labels = new int[total];
        int kept = 0;
        int r = 0; // the first range not yet read completely
        long first = 0;
        for (int s = 0; s < shards.length && r < ranges.size(); first += shards[s], s++) {
            long shardEnd = first + shards[s];
            if (ranges.get(r).start() >= shardEnd) {
                continue;
            }
            String name = shardName(split, s);
            DataSet ds = load(name, shards[s], bad, hadoop);
            float[] features = ds == null ? null : floats(ds.getFeatures());
            float[] oneHot = ds == null ? null : floats(ds.getLabels());
            int width = ds == null ? 0 : (int) ds.getLabels().size(1);
            for (int k = r; k < ranges.size() && ranges.get(k).start() < shardEnd; k++) {
                long from = Math.max(first, ranges.get(k).start());
                long to = Math.min(shardEnd, ranges.get(k).end());
                for (int i = (int) (from - first); ds != null && i < to - first; i++) {
                    String record = uri(name) + ": record " + i + " ("
                            + split.name().toLowerCase(java.util.Locale.ROOT) + " record " + (first + i) + ")";
                    int label = label(oneHot, i, width);
                    if (label < 0) {
                        bad.reject(record, "label row is not one-hot");
                    } else if (label >= classes) {
                        bad.reject(record, "has label " + label + ", expected 0.." + (classes - 1)
                                + " (model.classes = " + classes + ")");
                    } else if (!bytes(features, i * recordSize, pixels, kept * recordSize, recordSize)) {
                        bad.reject(record, "has a pixel value that is not an integer in 0..255");
                    } else {
                        labels[kept++] = label;
                    }
                }
            }
            while (r < ranges.size() && ranges.get(r).end() <= shardEnd) {
                r++;
            }
        }
        return new ImageRecords(Arrays.copyOf(pixels, kept * recordSize), Arrays.copyOf(labels, kept), c, h, w, classes);
    }

    /** A shard is read whole, so shards are the blocks (cut at {@code count} under data.limit-train). */
    @Override
    public Blocks blocks(Split split, int count, int slots) {
        int[] shards = manifest.shards(split);
        List<Integer> bounds = new java.util.ArrayList<>(List.of(0));
        long end = 0;
        for (int n : shards) {
            end = Math.min(count, end + n);
            if (end > bounds.get(bounds.size() - 1)) {
                bounds.add((int) end);
            }
        }
        return Blocks.bounded(bounds.stream().mapToInt(Integer::intValue).toArray());
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
