package io.netslim.testing;

import io.netslim.config.JobConfig;
import io.netslim.train.SparkContexts;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The in-process HDFS and Spark local[2] that a test class reads and writes through, listening on 127.0.0.1 only:
 * started before the class's first test (and its {@code @BeforeAll} methods), stopped after its last. Register it
 * on a static field: {@code @RegisterExtension static final TestCluster cluster = TestCluster.withHdfs();}.
 * One SparkContext per JVM: a class whose tests start the job's own context (the pipeline through
 * {@code Main.run}) takes HDFS only.
 */
public final class TestCluster implements BeforeAllCallback, AfterAllCallback {
    private final boolean withSpark;
    private final boolean withHdfs;
    private Path base;
    private MiniDFSCluster hdfs;
    private JavaSparkContext sc;

    private TestCluster(boolean withSpark, boolean withHdfs) {
        this.withSpark = withSpark;
        this.withHdfs = withHdfs;
    }

    /** Spark local[2] only. */
    public static TestCluster withSpark() {
        return new TestCluster(true, false);
    }

    /** A one-DataNode MiniDFSCluster only. */
    public static TestCluster withHdfs() {
        return new TestCluster(false, true);
    }

    /** Both: HDFS started first, Spark stopped first. */
    public static TestCluster withSparkAndHdfs() {
        return new TestCluster(true, true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (withHdfs) {
            base = Files.createTempDirectory("netslim-hdfs-");
            hdfs = startHdfs(base);
        }
        if (withSpark) {
            sc = localSpark(context.getRequiredTestClass().getSimpleName());
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (sc != null) {
                sc.close();
                sc = null;
            }
        } finally {
            if (hdfs != null) {
                hdfs.shutdown(true);
                hdfs = null;
            }
            if (base != null) {
                delete(base);
                base = null;
            }
        }
    }

    /** The Spark context (Kryo with ND4J's registrator, 127.0.0.1, no UI), named after the test class. */
    public JavaSparkContext sc() {
        return running(sc, "Spark");
    }

    /** The running MiniDFSCluster. */
    public MiniDFSCluster hdfs() {
        return running(hdfs, "HDFS");
    }

    /** HDFS's file system. */
    public FileSystem fs() throws IOException {
        return hdfs().getFileSystem();
    }

    /** HDFS's root, {@code hdfs://127.0.0.1:<port>}. */
    public String uri() {
        return hdfs().getURI().toString();
    }

    private static <T> T running(T part, String name) {
        if (part == null) {
            throw new IllegalStateException(name + " is not running: register TestCluster on a static field with "
                    + name + " (withSpark, withHdfs, withSparkAndHdfs)");
        }
        return part;
    }

    /** A one-DataNode MiniDFSCluster keeping its blocks under {@code base}, up and ready. */
    private static MiniDFSCluster startHdfs(Path base) throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        conf.set("dfs.namenode.http-address", "127.0.0.1:0");
        conf.set("dfs.datanode.address", "127.0.0.1:0");
        conf.set("dfs.datanode.http.address", "127.0.0.1:0");
        conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
        return hdfs;
    }

    /** Spark local[2] as the job configures it (Kryo with ND4J's registrator, 127.0.0.1), without its UI. */
    private static JavaSparkContext localSpark(String appName) {
        return SparkContexts.create(new JobConfig.SparkSettings("local[2]", appName, Map.of("spark.ui.enabled", "false")));
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
