package io.netslim.data;

import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.DataSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data stored class by class, as big datasets are, in every format (IDX, CIFAR and shards on HDFS, an image
 * folder tree on the local file system), dealt to 4 workers on Spark local[2]: every worker's share of every
 * epoch is a sample of the whole set, and so is every fine-tuning chunk.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassOrderedDataTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withSparkAndHdfs();

    private static final int CLASSES = 10;
    private static final int PER_CLASS = 200;
    private static final int COUNT = CLASSES * PER_CLASS;
    private static final int WORKERS = 4;
    private static final int BATCH = 32;
    private static final double SHARE = 1.0 / CLASSES;

    private MiniDFSCluster hdfs;
    private JavaSparkContext sc;
    private final java.util.Map<String, String> paths = new java.util.HashMap<>();

    @BeforeAll
    void start(@TempDir java.nio.file.Path base) throws IOException {
        hdfs = cluster.hdfs();
        sc = cluster.sc();
        Datasets.Images grey = images(1, 8);
        Datasets.Images test = grey.head(100);
        String root = hdfs.getURI().toString();
        Datasets.writeIdx(root + "/idx", grey, test, true);
        Datasets.writeCifar10(root + "/cifar", images(3, 32), images(3, 32).head(100), 3);
        Datasets.writeFolder(base.resolve("folder").toUri().toString(), images(3, 8), images(3, 8).head(100));
        ShardWriter writer = ShardWriter.of(config("idx", root + "/idx"), CLASSES, 50, 3, new Configuration());
        writer.write(sc, ShardFolder.begin(root + "/shards", root + "/idx", false, new Configuration()),
                new Configuration());
        paths.put("idx", root + "/idx");
        paths.put("cifar", root + "/cifar");
        paths.put("folder", base.resolve("folder").toUri().toString());
        paths.put("shards", root + "/shards");
    }

    /**
     * Each worker holds n = 500 of the 2,000 records. A random sample of that size has a class share whose standard
     * deviation is sqrt(p (1 - p) / n * (N - n) / (N - 1)) = 0.0116 for p = 0.1 (hypergeometric); the share must be
     * within 4.5 of those (0.052) of 0.1. Contiguous ranges, as before, put 2.5 classes on each worker.
     */
    @ParameterizedTest
    @ValueSource(strings = {"idx", "cifar", "folder", "shards"})
    void everyWorkerGetsEveryClassInItsGlobalShareEveryEpoch(String format) {
        ImageSource source = ImageSource.open(config(format, paths.get(format)), CLASSES, new Configuration());
        List<List<Integer>> previous = null;
        for (int epoch = 0; epoch < 2; epoch++) {
            List<List<DataSet>> workers = source.trainMinibatches(sc, BATCH, WORKERS, 42, epoch, 0, 1).rdd().glom().collect();
            assertEquals(WORKERS, workers.size());
            int[] seen = new int[COUNT];
            List<List<Integer>> ids = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int[] perClass = new int[CLASSES];
                List<Integer> mine = new ArrayList<>();
                for (DataSet batch : workers.get(w)) {
                    boolean[] classesInBatch = new boolean[CLASSES];
                    for (int i = 0; i < batch.numExamples(); i++) {
                        int label = batch.getLabels().getRow(i).argMax().getInt(0);
                        int id = id(batch, i);
                        assertEquals(id / PER_CLASS, label, format + ": label of record " + id);
                        perClass[label]++;
                        classesInBatch[label] = true;
                        seen[id]++;
                        mine.add(id);
                    }
                    assertTrue(count(classesInBatch) > 1, format + ", epoch " + epoch + ", worker " + w
                            + ": a minibatch of " + batch.numExamples() + " holds a single class");
                }
                assertShares(perClass, format + ", epoch " + epoch + ", worker " + w);
                ids.add(mine);
            }
            for (int id = 0; id < COUNT; id++) {
                assertEquals(1, seen[id], format + ", epoch " + epoch + ": record " + id);
            }
            assertNotEquals(previous, ids, format + ": epoch " + epoch + " dealt the records as the one before");
            previous = ids;
        }
    }

    /** Fine-tuning streams 7 chunks of about 286 records; each must hold every class near its global share. */
    @ParameterizedTest
    @ValueSource(strings = {"idx", "cifar", "folder", "shards"})
    void everyFineTuningChunkIsASampleOfTheWholeSet(String format) {
        DatasetFormat dataset = DatasetFormats.open(config(format, paths.get(format)), new Configuration());
        StreamingIterator stream = new StreamingIterator(dataset, Split.TRAIN, COUNT, CLASSES, BadRecords.failing(),
                new Configuration(), BATCH, Augmentation.NONE, Normalization.NONE, true, 5, 300);
        for (int pass = 0; pass < 2; pass++) {
            stream.reset();
            List<int[]> chunks = new ArrayList<>();
            int[] perClass = new int[CLASSES];
            int records = 0;
            while (stream.hasNext()) {
                DataSet batch = stream.next();
                boolean[] classesInBatch = new boolean[CLASSES];
                for (int i = 0; i < batch.numExamples(); i++) {
                    int label = batch.getLabels().getRow(i).argMax().getInt(0);
                    perClass[label]++;
                    classesInBatch[label] = true;
                }
                assertTrue(count(classesInBatch) > 1, format + ": a fine-tuning minibatch holds a single class");
                records += batch.numExamples();
                if (batch.numExamples() < BATCH) { // a chunk's last minibatch (285 and 286 are not multiples of 32)
                    chunks.add(perClass);
                    perClass = new int[CLASSES];
                }
            }
            assertEquals(COUNT, records);
            assertEquals(7, chunks.size());
            for (int c = 0; c < chunks.size(); c++) {
                assertShares(chunks.get(c), format + ", pass " + pass + ", chunk " + c);
            }
        }
    }

    /** data.limit-train takes a fixed random sample (every class), which each epoch deals out whole. */
    @ParameterizedTest
    @ValueSource(strings = {"idx", "cifar", "folder", "shards"})
    void aLimitIsAFixedRandomSampleOfEveryClass(String format) {
        JobConfig.DataConfig limited = TestNets.config("data.format=" + format, "data.path=\"" + paths.get(format) + "\"",
                "data.image-size=8", "data.augment.flip=false", "data.augment.crop-padding=0", "data.limit-train=400",
                "data.limit-test=60").data();
        ImageSource source = ImageSource.open(limited, CLASSES, new Configuration());
        assertEquals(400, source.trainCount());
        assertEquals(60, source.testCount());
        List<Integer> sample = ids(source.loadTrain());
        assertEquals(400, new java.util.HashSet<>(sample).size(), format + ": a record twice in " + sample);
        int[] perClass = new int[CLASSES];
        sample.forEach(id -> perClass[id / PER_CLASS]++);
        assertShares(perClass, format + ": limit-train sample");
        assertEquals(sample, ids(ImageSource.open(limited, CLASSES, new Configuration()).loadTrain()),
                format + ": another sample when opened again");
        List<Integer> dealt = new ArrayList<>();
        for (DataSet batch : source.trainMinibatches(sc, BATCH, WORKERS, 42, 0, 0, 1).rdd().collect()) {
            for (int i = 0; i < batch.numExamples(); i++) {
                dealt.add(id(batch, i));
            }
        }
        assertEquals(new java.util.TreeSet<>(sample), new java.util.TreeSet<>(dealt));
        assertEquals(400, dealt.size());
    }

    /**
     * data.validation holds a seeded random sample of the training records out: every class in it, none of it in
     * any epoch dealt to the workers nor in the fine-tuning stream, together with training the whole split (here a
     * limit-train sample), another train.seed another split.
     */
    @ParameterizedTest
    @ValueSource(strings = {"idx", "cifar", "folder", "shards"})
    void theValidationSplitIsASeededSampleNeverTrainedOn(String format) {
        String[] common = {"data.format=" + format, "data.path=\"" + paths.get(format) + "\"", "data.image-size=8",
                "data.augment.flip=false", "data.augment.crop-padding=0", "data.limit-train=1500"};
        JobConfig.DataConfig d = TestNets.config(concat(common, "data.validation=0.2")).data();
        ImageSource source = ImageSource.open(d, CLASSES, new Configuration());
        assertEquals(300, source.validationCount());
        assertEquals(1200, source.trainCount());
        List<Integer> validation = new ArrayList<>();
        ImageBatches v = source.validationBatches(64);
        while (v.hasNext()) {
            DataSet batch = v.next();
            for (int i = 0; i < batch.numExamples(); i++) {
                validation.add(id(batch, i));
            }
        }
        assertEquals(300, new java.util.HashSet<>(validation).size(), format);
        int[] perClass = new int[CLASSES];
        validation.forEach(id -> perClass[id / PER_CLASS]++);
        assertTrue(Arrays.stream(perClass).allMatch(n -> n > 0), format + ": a class missing " + Arrays.toString(perClass));
        java.util.Set<Integer> train = new java.util.HashSet<>(ids(source.loadTrain()));
        assertEquals(1200, train.size());
        java.util.Set<Integer> limited = new java.util.HashSet<>(ids(ImageSource.open(TestNets.config(common).data(),
                CLASSES, new Configuration()).loadTrain()));
        java.util.Set<Integer> union = new java.util.HashSet<>(train);
        union.addAll(validation);
        assertEquals(limited, union, format + ": training and validation together are the training split");
        List<Integer> dealt = new ArrayList<>();
        for (DataSet batch : source.trainMinibatches(sc, BATCH, WORKERS, 42, 0, 0, 1).rdd().collect()) {
            for (int i = 0; i < batch.numExamples(); i++) {
                dealt.add(id(batch, i));
            }
        }
        ImageBatches stream = source.trainBatches(BATCH, 7);
        while (stream.hasNext()) {
            DataSet batch = stream.next();
            for (int i = 0; i < batch.numExamples(); i++) {
                dealt.add(id(batch, i));
            }
        }
        assertEquals(2400, dealt.size());
        assertTrue(dealt.stream().noneMatch(validation::contains), format + ": a validation record was trained on");
        ImageSource reseeded = ImageSource.open(TestNets.config(concat(common, "data.validation=0.2", "train.seed=7"))
                .data(), CLASSES, new Configuration());
        assertNotEquals(train, new java.util.HashSet<>(ids(reseeded.loadTrain())), format);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static List<Integer> ids(ImageRecords records) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            ids.add(records.pixel(i, 0) * 256 + records.pixel(i, 1));
        }
        return ids;
    }

    /** Every class present and within 4.5 hypergeometric standard deviations of its global share. */
    private static void assertShares(int[] perClass, String what) {
        int n = Arrays.stream(perClass).sum();
        double sd = Math.sqrt(SHARE * (1 - SHARE) / n * (COUNT - n) / (COUNT - 1.0));
        for (int c = 0; c < CLASSES; c++) {
            double share = (double) perClass[c] / n;
            assertTrue(perClass[c] > 0 && Math.abs(share - SHARE) <= 4.5 * sd, what + ": class " + c + " is "
                    + perClass[c] + " of " + n + " records (" + share + ", allowed " + SHARE + " +- " + 4.5 * sd + ")");
        }
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    /** Record {@code id} of class {@code id / PER_CLASS}: its id in the first two pixels, the rest grey noise. */
    private static Datasets.Images images(int channels, int side) {
        int size = channels * side * side;
        byte[] pixels = new byte[COUNT * size];
        int[] labels = new int[COUNT];
        java.util.Random rnd = new java.util.Random(1);
        for (int id = 0; id < COUNT; id++) {
            labels[id] = id / PER_CLASS;
            for (int k = 0; k < size; k++) {
                pixels[id * size + k] = (byte) rnd.nextInt(256);
            }
            pixels[id * size] = (byte) (id / 256);
            pixels[id * size + 1] = (byte) (id % 256);
        }
        return new Datasets.Images(pixels, labels, channels, side);
    }

    private static int id(DataSet batch, int i) {
        return Math.round(batch.getFeatures().getFloat(i, 0, 0, 0) * 255) * 256
                + Math.round(batch.getFeatures().getFloat(i, 0, 0, 1) * 255);
    }

    private static JobConfig.DataConfig config(String format, String path) {
        return TestNets.config("data.format=" + format, "data.path=\"" + path + "\"", "data.image-size=8",
                "data.augment.flip=false", "data.augment.crop-padding=0").data();
    }
}
