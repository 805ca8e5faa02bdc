package io.netslim.data;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code data.format = folder}: an ImageNet-style tree {@code train/<class>/*.{jpg,jpeg,png}} and
 * {@code val/<class>/...} (or {@code test/}), decoded with ImageIO on the executors and resized to
 * {@code data.folder.image-size}. The driver only lists the folders; records are the files sorted by class, then
 * name.
 */
public final class FolderDataset implements DatasetFormat {
    private static final long serialVersionUID = 1L;
    /** {@code data.format = folder} and its key {@code data.folder.image-size} (formerly {@code data.image-size}). */
    public static final DataFormat FORMAT = new DataFormat("folder",
            Map.of("data.image-size", "data.folder.image-size"),
            keys -> new Settings(keys.intAtLeast("data.folder.image-size", 1)), FolderDataset::locate);
    private static final Logger LOG = LoggerFactory.getLogger(FolderDataset.class);
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png");
    private static final String LAYOUT = "expected train/<class>/*.{jpg,jpeg,png} and val/<class>/... "
            + "(or test/<class>/...) under it";

    /** {@code data.folder.*}: {@code imageSize} is the side of the square RGB images every file is resized to. */
    public record Settings(int imageSize) implements Serializable {
    }

    private final String root;
    private final String[] classes;
    private final int imageSize;
    private final Listing train;
    private final Listing test;

    private FolderDataset(String root, String[] classes, int imageSize, Listing train, Listing test) {
        this.root = root;
        this.classes = classes;
        this.imageSize = imageSize;
        this.train = train;
        this.test = test;
    }

    /**
     * Lists {@code data.path} on the driver (no image is opened). An empty class folder is a bad record found
     * here, before any BadRecords of the job exists, so it follows the policy of {@code data.on-bad-record}
     * directly: "fail" stops now naming the folder; "skip" keeps the class's index (labels stay stable) with no
     * records, and {@link #read} reports the folder to its BadRecords whenever it reads from record 0, which
     * every full pass over a split does (BadRecords counts the same problem once).
     */
    public static FolderDataset locate(JobConfig.DataConfig data, Configuration hadoop) {
        Path root = new Path(data.path());
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            if (!fs.exists(root)) {
                throw new DataException("data.path " + data.path() + ": directory does not exist; " + LAYOUT);
            }
            Path trainDir = fs.makeQualified(new Path(root, "train"));
            if (!fs.exists(trainDir) || !fs.getFileStatus(trainDir).isDirectory()) {
                throw new DataException("data.path " + data.path() + ": no train/ folder; " + LAYOUT);
            }
            Path testDir = testDir(fs, root, data.path());
            String[] classes = folderNames(fs, trainDir).toArray(new String[0]);
            if (classes.length == 0) {
                throw new DataException(trainDir + ": no class folders; " + LAYOUT);
            }
            checkTestClasses(fs, trainDir, testDir, classes);
            Listing train = Listing.of(fs, trainDir, classes);
            Listing test = Listing.of(fs, testDir, classes);
            checkRecords(train, test, data.onBadRecord());
            FolderDataset dataset = new FolderDataset(fs.makeQualified(root).toString(), classes,
                    data.settings(Settings.class).imageSize(), train, test);
            LOG.info("data: {}", dataset.describe());
            return dataset;
        } catch (IOException e) {
            throw new DataException("data.path " + data.path() + ": cannot list (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public long[] shape() {
        return new long[] {3, imageSize, imageSize};
    }

    @Override
    public int count(Split split) {
        return listing(split).count();
    }

    @Override
    public ImageRecords read(Split split, List<RecordRange> ranges, int classCount, BadRecords bad,
                             Configuration hadoop) {
        Listing listing = listing(split);
        RecordRange.check(ranges, listing.count(), listing.dir);
        if (!ranges.isEmpty() && ranges.get(0).start() == 0) {
            reportEmptyFolders(listing, bad);
        }
        int recordSize = 3 * imageSize * imageSize;
        int total = RecordRange.total(ranges);
        byte[] pixels = new byte[Math.multiplyExact(total, recordSize)];
        int[] labels = new int[total];
        int kept = 0;
        FileSystem fs = fileSystem(listing, hadoop);
        for (RecordRange range : ranges) {
            for (int i = range.start(); i < range.end(); i++) {
                int label = listing.label(i);
                Path file = listing.path(i);
                if (label >= classCount) {
                    bad.reject(file.toString(), "class folder '" + classes[label] + "' is class " + label
                            + ", expected 0.." + (classCount - 1) + " (model.classes = " + classCount + ", but "
                            + classes.length + " class folders under " + train.dir + ")");
                    continue;
                }
                if (decodeInto(fs, file, pixels, kept * recordSize, bad)) {
                    labels[kept++] = label;
                }
            }
        }
        return new ImageRecords(Arrays.copyOf(pixels, kept * recordSize), Arrays.copyOf(labels, kept), 3,
                imageSize, imageSize, classCount);
    }

    /** Every image is a file of its own: blocks of one record, the order is a permutation of the files. */
    @Override
    public Blocks blocks(Split split, int count, int slots) {
        return Blocks.uniform(count, 1);
    }

    @Override
    public String describe() {
        return "image folders under " + root + ": " + classes.length + " classes, " + train.count() + " training "
                + "images, " + test.count() + " in " + new Path(test.dir).getName() + "/, resized to " + imageSize
                + "x" + imageSize;
    }

    /** The class names (sorted folder names under train/); record labels index this list. */
    public List<String> classes() {
        return List.of(classes);
    }

    private Listing listing(Split split) {
        return split == Split.TRAIN ? train : test;
    }

    /** Decodes one file into {@code out[offset..]}; false (after telling {@code bad}) when it is unusable. */
    private boolean decodeInto(FileSystem fs, Path file, byte[] out, int offset, BadRecords bad) {
        byte[] bytes;
        try (FSDataInputStream in = fs.open(file)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        BufferedImage image;
        try {
            image = RgbImages.decode(bytes);
        } catch (RgbImages.Undecodable e) {
            bad.reject(file.toString(), e.getMessage());
            return false;
        }
        RgbImages.toChw(image, imageSize, out, offset);
        return true;
    }

    private void reportEmptyFolders(Listing listing, BadRecords bad) {
        for (String folder : listing.emptyFolders) {
            bad.reject(folder, "empty class folder (no .jpg, .jpeg or .png files); its class keeps its index "
                    + "and has no records here", 0);
        }
    }

    private static FileSystem fileSystem(Listing listing, Configuration hadoop) {
        try {
            return new Path(listing.dir).getFileSystem(hadoop);
        } catch (IOException e) {
            throw new DataException(listing.dir + ": cannot open the file system (" + e.getMessage() + ")", e);
        }
    }

    private static Path testDir(FileSystem fs, Path root, String path) throws IOException {
        for (String name : new String[] {"val", "test"}) {
            Path dir = new Path(root, name);
            if (fs.exists(dir) && fs.getFileStatus(dir).isDirectory()) {
                return fs.makeQualified(dir);
            }
        }
        throw new DataException("data.path " + path + ": no val/ (or test/) folder; " + LAYOUT);
    }

    private static void checkTestClasses(FileSystem fs, Path trainDir, Path testDir, String[] classes)
            throws IOException {
        List<String> extra = new ArrayList<>(folderNames(fs, testDir));
        extra.removeAll(List.of(classes));
        if (!extra.isEmpty()) {
            throw new DataException(testDir + ": class folder(s) " + extra + " have no counterpart under " + trainDir
                    + "; the classes are the folders under train/, which must include every folder of "
                    + testDir.getName() + "/");
        }
    }

    /** Empty class folders under the policy, then at least one image in each split. */
    private static void checkRecords(Listing train, Listing test, String policy) {
        List<String> empty = new ArrayList<>(train.emptyFolders);
        empty.addAll(test.emptyFolders);
        if (!empty.isEmpty() && !new BadRecords(policy).skips()) {
            throw new DataException(empty.get(0) + ": empty class folder (no .jpg, .jpeg or .png files)"
                    + (empty.size() > 1 ? " (and " + (empty.size() - 1) + " more: " + empty.subList(1, empty.size())
                    + ")" : "") + "; every class folder needs at least one image (or set data.on-bad-record = skip)");
        }
        if (!empty.isEmpty()) {
            LOG.warn("data: {} empty class folder(s) keep their class index with no records: {}", empty.size(), empty);
        }
        for (Listing listing : List.of(train, test)) {
            if (listing.count() == 0) {
                throw new DataException(listing.dir + ": no .jpg, .jpeg or .png files in any class folder; " + LAYOUT);
            }
        }
    }

    /** Sorted names of the visible sub-folders of {@code dir} (names starting with '.' or '_' are hidden). */
    private static List<String> folderNames(FileSystem fs, Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isDirectory() && visible(s.getPath().getName())) {
                names.add(s.getPath().getName());
            }
        }
        names.sort(null);
        return names;
    }

    /**
     * {@code dir/name}, parsed as a whole: Path(Path, String) would read a ':' in a folder or file name as a
     * URI scheme; here the scheme of {@code dir} comes first.
     */
    private static Path child(String dir, String name) {
        return new Path(dir + "/" + name);
    }

    private static boolean visible(String name) {
        return !name.startsWith(".") && !name.startsWith("_");
    }

    private static boolean isImage(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return visible(name) && EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    /**
     * The records of one split: file names sorted by class then name, with the index of each class's first
     * record. Only names are kept (not full paths), so the listing of a large tree stays small in each task.
     */
    private static final class Listing implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String dir;
        private final String[] classDirs; // null where this split has no folder for the class
        private final int[] classStart;   // records of class c are [classStart[c], classStart[c + 1])
        private final String[] names;
        private final List<String> emptyFolders;

        private Listing(String dir, String[] classDirs, int[] classStart, String[] names, List<String> emptyFolders) {
            this.dir = dir;
            this.classDirs = classDirs;
            this.classStart = classStart;
            this.names = names;
            this.emptyFolders = emptyFolders;
        }

        static Listing of(FileSystem fs, Path splitDir, String[] classes) throws IOException {
            String[] classDirs = new String[classes.length];
            int[] classStart = new int[classes.length + 1];
            List<String> names = new ArrayList<>();
            List<String> empty = new ArrayList<>();
            int ignored = 0;
            for (int c = 0; c < classes.length; c++) {
                classStart[c] = names.size();
                Path classDir = child(splitDir.toString(), classes[c]);
                if (!fs.exists(classDir)) {
                    continue; // a class may be missing from val/; it is never missing from train/
                }
                classDirs[c] = classDir.toString();
                List<String> files = new ArrayList<>();
                for (FileStatus s : fs.listStatus(classDir)) {
                    if (s.isFile() && isImage(s.getPath().getName())) {
                        files.add(s.getPath().getName());
                    } else {
                        ignored++;
                    }
                }
                if (files.isEmpty()) {
                    empty.add(classDirs[c]);
                }
                files.sort(null);
                names.addAll(files);
            }
            classStart[classes.length] = names.size();
            if (ignored > 0) {
                LOG.info("data: ignored {} entries under {} that are not .jpg, .jpeg or .png files", ignored, splitDir);
            }
            return new Listing(splitDir.toString(), classDirs, classStart, names.toArray(new String[0]),
                    List.copyOf(empty));
        }

        int count() {
            return names.length;
        }

        /** The class of record {@code i}: the last class whose first record is at or before i. */
        int label(int i) {
            int lo = 0;
            int hi = classStart.length - 2;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (classStart[mid] <= i) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }

        Path path(int i) {
            return child(classDirs[label(i)], names[i]);
        }
    }
}
