package io.netslim.data;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.util.List;

/** {@code data.format = idx}: the four standard IDX files of an MNIST-family dataset directory. */
public record IdxDataset(IdxFile trainImages, IdxFile trainLabels, IdxFile testImages, IdxFile testLabels)
        implements DatasetFormat {
    /** {@code data.format = idx}: no keys of its own. */
    public static final DataFormat FORMAT = DataFormat.withoutKeys("idx",
            (data, hadoop) -> locate(data.path(), hadoop));

    /** Finds and checks the four files under {@code dir} (each plain or .gz). */
    public static IdxDataset locate(String dir, Configuration hadoop) {
        IdxFile trainImages = IdxFile.open(find(dir, "train-images-idx3-ubyte", hadoop), 3, hadoop);
        IdxFile trainLabels = IdxFile.open(find(dir, "train-labels-idx1-ubyte", hadoop), 1, hadoop);
        IdxFile testImages = IdxFile.open(find(dir, "t10k-images-idx3-ubyte", hadoop), 3, hadoop);
        IdxFile testLabels = IdxFile.open(find(dir, "t10k-labels-idx1-ubyte", hadoop), 1, hadoop);
        checkPair(trainImages, trainLabels);
        checkPair(testImages, testLabels);
        if (trainImages.dims()[1] != testImages.dims()[1] || trainImages.dims()[2] != testImages.dims()[2]) {
            throw new DataException(testImages.uri() + ": images are " + testImages.dims()[1] + "x"
                    + testImages.dims()[2] + ", expected " + trainImages.dims()[1] + "x" + trainImages.dims()[2]
                    + " as in " + trainImages.uri());
        }
        return new IdxDataset(trainImages, trainLabels, testImages, testLabels);
    }

    @Override
    public long[] shape() {
        return new long[] {1, trainImages.dims()[1], trainImages.dims()[2]};
    }

    @Override
    public int count(Split split) {
        return images(split).count();
    }

    @Override
    public ImageRecords read(Split split, List<RecordRange> ranges, int classes, BadRecords bad, Configuration hadoop) {
        IdxFile images = images(split);
        IdxFile labels = split == Split.TRAIN ? trainLabels : testLabels;
        byte[] pixels = images.read(ranges, bad, hadoop);
        byte[] y = labels.read(ranges, bad, hadoop);
        int size = images.recordSize();
        int n = Math.min(pixels.length / size, y.length); // fewer only when a truncated tail was skipped
        int[] kept = new int[n];
        byte[] keptPixels = new byte[n * size];
        int k = 0;
        int i = 0;
        for (RecordRange range : ranges) {
            for (int record = range.start(); record < range.end() && i < n; record++, i++) {
                int label = y[i] & 0xff;
                if (label >= classes) {
                    bad.reject(labels.uri(), "record " + record + " has label " + label + ", expected 0.."
                            + (classes - 1) + " (model.classes = " + classes + ")");
                    continue;
                }
                System.arraycopy(pixels, i * size, keptPixels, k * size, size);
                kept[k++] = label;
            }
        }
        return new ImageRecords(java.util.Arrays.copyOf(keptPixels, k * size), java.util.Arrays.copyOf(kept, k),
                1, images.dims()[1], images.dims()[2], classes);
    }

    @Override
    public String describe() {
        return "IDX files " + trainImages.uri() + " (and the other three)";
    }

    private IdxFile images(Split split) {
        return split == Split.TRAIN ? trainImages : testImages;
    }

    private static void checkPair(IdxFile images, IdxFile labels) {
        if (images.count() != labels.count()) {
            throw new DataException(labels.uri() + ": " + labels.count() + " labels, expected "
                    + images.count() + " (one per image in " + images.uri() + ")");
        }
    }

    private static String find(String dir, String name, Configuration hadoop) {
        Path base = new Path(dir);
        try {
            FileSystem fs = base.getFileSystem(hadoop);
            if (!fs.exists(base)) {
                throw new DataException("data.path " + dir + ": directory does not exist");
            }
            for (String candidate : new String[] {name, name + ".gz"}) {
                Path p = new Path(base, candidate);
                if (fs.exists(p)) {
                    return fs.makeQualified(p).toString();
                }
            }
        } catch (IOException e) {
            throw new DataException("data.path " + dir + ": cannot list (" + e.getMessage() + ")", e);
        }
        throw new DataException("data.path " + dir + ": missing " + name + " (or " + name
                + ".gz); expected the four MNIST-style IDX files there");
    }
}
