package io.netslim.data;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code data.format = cifar}: the CIFAR-10 / CIFAR-100 binary batches. Records have a fixed size, so the
 * driver only lists the files and their lengths, and each executor reads just the byte ranges of its records.
 * Record numbers and byte offsets in messages are those inside the named file.
 */
public record CifarDataset(String dir, Layout layout, boolean coarse, List<CifarFile> train, List<CifarFile> test)
        implements DatasetFormat {
    /** {@code data.format = cifar} and its key {@code data.cifar.labels} (formerly {@code data.cifar-labels}). */
    public static final DataFormat FORMAT = new DataFormat("cifar", Map.of("data.cifar-labels", "data.cifar.labels"),
            keys -> new Settings(keys.oneOf("data.cifar.labels", List.of("fine", "coarse"))), CifarDataset::locate);
    private static final Logger LOG = LoggerFactory.getLogger(CifarDataset.class);
    private static final int CHANNELS = 3;
    private static final int SIDE = 32;

    /** Pixel bytes per record: 1024 red, 1024 green, 1024 blue, each row-major 32x32 (CHW). */
    private static final int PIXELS = CHANNELS * SIDE * SIDE;
    /** Records read per request; bounds the read buffer (about 1.5 MB). */
    private static final int CHUNK = 512;

    /** {@code data.cifar.*}: {@code labels} is the CIFAR-100 label used as the class, fine (100) or coarse (20). */
    public record Settings(String labels) implements Serializable {
        /** Whether the 20 coarse superclasses are the classes. */
        public boolean coarse() {
            return "coarse".equals(labels);
        }
    }

    /** The two binary layouts: file names, folder name in the official tarball, and label bytes per record. */
    public enum Layout {
        CIFAR_10("CIFAR-10", "cifar-10-batches-bin", 1, List.of("data_batch_1.bin", "data_batch_2.bin",
                "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"), "test_batch.bin"),
        CIFAR_100("CIFAR-100", "cifar-100-binary", 2, List.of("train.bin"), "test.bin");

        private final String title;
        private final String folder;
        private final int labelBytes;
        private final List<String> trainNames;
        private final String testName;

        Layout(String title, String folder, int labelBytes, List<String> trainNames, String testName) {
            this.title = title;
            this.folder = folder;
            this.labelBytes = labelBytes;
            this.trainNames = trainNames;
            this.testName = testName;
        }

        /** Bytes per record: the label byte(s), then the pixels. */
        public int recordSize() {
            return labelBytes + PIXELS;
        }

        /** Whether {@code names} hold this layout: the test file and at least one training file. */
        boolean presentIn(Map<String, FileStatus> names) {
            return names.containsKey(testName) && trainNames.stream().anyMatch(names::containsKey);
        }

        String expected() {
            return trainNames.size() == 1 ? trainNames.get(0) + " and " + testName
                    : trainNames.get(0) + " .. " + trainNames.get(trainNames.size() - 1) + " (at least one) and "
                    + testName;
        }
    }

    /**
     * One binary file: its URI, its length when the dataset was opened and the complete records it holds.
     * {@code truncation} describes an incomplete last record (null when there is none).
     */
    public record CifarFile(String uri, long length, int records, String truncation) implements Serializable {
    }

    /**
     * Finds the CIFAR-10 or CIFAR-100 files under {@code data.path} (or in its sub-folder as the official
     * tarballs unpack) and counts their records from the file lengths.
     * <p>
     * A file whose length is not a multiple of the record size ends in an incomplete record. {@code locate}
     * has no {@link BadRecords}, so it reads the policy from {@code data.on-bad-record} itself: under "fail" it
     * throws here, before any work starts; under "skip" it leaves the record out of the counts and keeps the
     * problem in the {@link CifarFile}, and every {@link #read} of that split passes it to its
     * {@link BadRecords}, which keeps distinct problems only, so it is reported (and counted) exactly once
     * without any state shared between the driver and the executors.
     */
    public static CifarDataset locate(JobConfig.DataConfig data, Configuration hadoop) {
        boolean skip = new BadRecords(data.onBadRecord()).skips();
        Found found = find(data.path(), hadoop);
        Layout layout = found.layout();
        List<CifarFile> train = new ArrayList<>();
        for (String name : layout.trainNames) {
            FileStatus status = found.files().get(name);
            if (status != null) {
                train.add(file(status, layout.recordSize(), skip));
            }
        }
        List<CifarFile> test = List.of(file(found.files().get(layout.testName), layout.recordSize(), skip));
        CifarDataset dataset = new CifarDataset(found.dir(), layout, data.settings(Settings.class).coarse(),
                List.copyOf(train), test);
        dataset.checkNotEmpty(data.path());
        for (CifarFile f : dataset.allFiles()) {
            if (f.truncation() != null) {
                LOG.warn("{}: {} (data.on-bad-record = skip)", f.uri(), f.truncation());
            }
        }
        LOG.info("{}", dataset.describe());
        return dataset;
    }

    @Override
    public long[] shape() {
        return new long[] {CHANNELS, SIDE, SIDE};
    }

    @Override
    public int count(Split split) {
        return Math.toIntExact(files(split).stream().mapToLong(CifarFile::records).sum());
    }

    @Override
    public ImageRecords read(Split split, List<RecordRange> ranges, int classes, BadRecords bad, Configuration hadoop) {
        RecordRange.check(ranges, count(split), dir + ": " + split);
        List<CifarFile> files = files(split);
        reportTruncated(files, bad);
        Kept kept = new Kept(RecordRange.total(ranges), classes, labelOffset(), layout.labelBytes, bad);
        long first = 0; // index of the file's first record in the split
        for (CifarFile f : files) {
            List<RecordRange> local = new ArrayList<>();
            for (RecordRange range : ranges) {
                long from = Math.max(range.start(), first);
                long to = Math.min(range.end(), first + f.records());
                if (from < to) {
                    local.add(new RecordRange((int) (from - first), (int) (to - first)));
                }
            }
            if (!local.isEmpty()) {
                readRecords(f, local, kept, hadoop);
            }
            first += f.records();
        }
        return kept.records();
    }

    @Override
    public String describe() {
        String labels = layout == Layout.CIFAR_100 ? (coarse ? " (coarse labels)" : " (fine labels)") : "";
        return layout.title + " binary files in " + dir + labels + ": " + count(Split.TRAIN) + " training records in "
                + train.size() + " file(s), " + count(Split.TEST) + " test records in " + layout.testName;
    }

    private List<CifarFile> files(Split split) {
        return split == Split.TRAIN ? train : test;
    }

    private List<CifarFile> allFiles() {
        List<CifarFile> all = new ArrayList<>(train);
        all.addAll(test);
        return all;
    }

    /** Position of the label used inside a record: CIFAR-100 stores coarse, then fine. */
    private int labelOffset() {
        return layout == Layout.CIFAR_100 && !coarse ? 1 : 0;
    }

    private void checkNotEmpty(String path) {
        for (Split split : Split.values()) {
            if (count(split) == 0) {
                String which = split == Split.TRAIN ? "training" : "test";
                List<String> uris = files(split).stream().map(CifarFile::uri).toList();
                throw new DataException("data.path " + path + ": the " + which + " files " + uris
                        + " hold no complete " + layout.recordSize() + "-byte record");
            }
        }
    }

    private static void reportTruncated(List<CifarFile> files, BadRecords bad) {
        for (CifarFile f : files) {
            if (f.truncation() != null) {
                bad.reject(f.uri(), f.truncation());
            }
        }
    }

    /** Reads the records {@code ranges} of {@code f}: one stream, a seek to each range, only those bytes read. */
    private static void readRecords(CifarFile f, List<RecordRange> ranges, Kept kept, Configuration hadoop) {
        Path path = new Path(f.uri());
        int size = kept.recordSize();
        byte[] buffer = new byte[Math.min(CHUNK, ranges.stream().mapToInt(RecordRange::size).max().orElse(0)) * size];
        RecordRange range = ranges.get(0);
        try (FSDataInputStream in = path.getFileSystem(hadoop).open(path)) {
            for (int k = 0; k < ranges.size(); k++) {
                range = ranges.get(k);
                in.seek((long) range.start() * size);
                for (int r = range.start(); r < range.end(); ) {
                    int n = Math.min(CHUNK, range.end() - r);
                    int got = in.readNBytes(buffer, 0, n * size);
                    int complete = got / size;
                    for (int i = 0; i < complete; i++) {
                        kept.add(f.uri(), r + i, buffer, i * size);
                    }
                    if (complete < n) {
                        kept.bad.reject(f.uri(), "ends inside record " + (r + complete) + " (byte offset "
                                + (long) (r + complete) * size + "), expected " + f.length()
                                + " bytes as when the dataset was opened", f.records() - r - complete);
                        return;
                    }
                    r += n;
                }
            }
        } catch (IOException e) {
            throw new DataException(f.uri() + ": cannot read records [" + range.start() + ", " + range.end()
                    + ") at byte offset " + (long) range.start() * size + " (" + e.getMessage() + ")", e);
        }
    }

    private static CifarFile file(FileStatus status, int size, boolean skip) {
        String uri = status.getPath().toString();
        long length = status.getLen();
        long complete = length / size;
        if (complete > Integer.MAX_VALUE) {
            throw new DataException(uri + ": " + complete + " records, more than one file can hold here");
        }
        String truncation = null;
        if (length % size != 0) {
            truncation = "truncated; length " + length + " bytes is not a multiple of the record size " + size
                    + ", the incomplete record " + complete + " starts at byte offset " + complete * size;
            if (!skip) {
                throw new DataException(uri + ": " + truncation);
            }
        }
        return new CifarFile(uri, length, (int) complete, truncation);
    }

    /** Where the files are and which layout they have. */
    private record Found(String dir, Layout layout, Map<String, FileStatus> files) {
    }

    private static Found find(String path, Configuration hadoop) {
        Path base = new Path(path);
        List<Found> found = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        try {
            FileSystem fs = base.getFileSystem(hadoop);
            if (!fs.exists(base)) {
                throw new DataException("data.path " + path + ": directory does not exist");
            }
            for (String sub : new String[] {"", Layout.CIFAR_10.folder, Layout.CIFAR_100.folder}) {
                Path dir = sub.isEmpty() ? base : new Path(base, sub);
                Map<String, FileStatus> files = list(fs, dir);
                files.keySet().stream().filter(n -> n.endsWith(".bin"))
                        .forEach(n -> seen.add(sub.isEmpty() ? n : sub + "/" + n));
                for (Layout layout : Layout.values()) {
                    if (layout.presentIn(files)) {
                        found.add(new Found(fs.makeQualified(dir).toString(), layout, files));
                    }
                }
            }
        } catch (IOException e) {
            throw new DataException("data.path " + path + ": cannot list (" + e.getMessage() + ")", e);
        }
        if (found.size() != 1) {
            throw notOne(path, found, seen);
        }
        return found.get(0);
    }

    private static DataException notOne(String path, List<Found> found, List<String> seen) {
        if (found.isEmpty()) {
            return new DataException("data.path " + path + ": no complete CIFAR binary dataset (.bin files found: "
                    + (seen.isEmpty() ? "none" : seen) + "); expected the CIFAR-10 files "
                    + Layout.CIFAR_10.expected() + ", or the CIFAR-100 files " + Layout.CIFAR_100.expected()
                    + ", there or in " + Layout.CIFAR_10.folder + "/ or " + Layout.CIFAR_100.folder + "/");
        }
        return new DataException("data.path " + path + ": more than one CIFAR dataset "
                + found.stream().map(f -> f.layout().title + " in " + f.dir()).toList()
                + "; point data.path at one of them");
    }

    /** The plain files directly in {@code dir} by name (empty when it is missing or not a directory). */
    private static Map<String, FileStatus> list(FileSystem fs, Path dir) throws IOException {
        Map<String, FileStatus> files = new TreeMap<>();
        if (fs.exists(dir) && fs.getFileStatus(dir).isDirectory()) {
            for (FileStatus s : fs.listStatus(dir)) {
                if (s.isFile()) {
                    files.put(s.getPath().getName(), s);
                }
            }
        }
        return files;
    }

    /** The records kept from one read: pixels and labels, leaving out those with a label out of range. */
    private static final class Kept {
        private final byte[] pixels;
        private final int[] labels;
        private final int classes;
        private final int labelOffset;
        private final int labelBytes;
        private final BadRecords bad;
        private int k;

        Kept(int capacity, int classes, int labelOffset, int labelBytes, BadRecords bad) {
            this.pixels = new byte[Math.multiplyExact(capacity, PIXELS)];
            this.labels = new int[capacity];
            this.classes = classes;
            this.labelOffset = labelOffset;
            this.labelBytes = labelBytes;
            this.bad = bad;
        }

        int recordSize() {
            return labelBytes + PIXELS;
        }

        /** Record {@code record} of {@code uri}, found at {@code offset} of {@code buffer}. */
        void add(String uri, int record, byte[] buffer, int offset) {
            int label = buffer[offset + labelOffset] & 0xff;
            if (label >= classes) {
                bad.reject(uri, "record " + record + " (byte offset " + (long) record * recordSize() + ") has label "
                        + label + ", expected 0.." + (classes - 1) + " (model.classes = " + classes + ")");
                return;
            }
            System.arraycopy(buffer, offset + labelBytes, pixels, k * PIXELS, PIXELS);
            labels[k++] = label;
        }

        ImageRecords records() {
            boolean full = k == labels.length;
            return new ImageRecords(full ? pixels : Arrays.copyOf(pixels, k * PIXELS),
                    full ? labels : Arrays.copyOf(labels, k), CHANNELS, SIDE, SIDE, classes);
        }
    }
}
