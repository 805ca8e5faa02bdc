package io.netslim.train;

import io.netslim.runtime.ThreadBudget;
import io.netslim.config.JobConfig;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every Spark task gets its share of the executor's cores, in OpenMP and in netslim's Java kernels. */
class TaskThreadsTest {
    private static int perTask(int processors, String... conf) {
        SparkConf c = new SparkConf(false);
        for (int i = 0; i < conf.length; i += 2) {
            c.set(conf[i], conf[i + 1]);
        }
        return TaskThreads.perTask(c, processors);
    }

    @Test
    void coresAreSharedAmongTheTasksRunningAtOnce() {
        assertEquals(1, perTask(2, "spark.master", "local[2]"));
        assertEquals(1, perTask(2, "spark.master", "local[*]"));
        assertEquals(1, perTask(2, "spark.master", "local[4]"), "more workers than cores: one thread each");
        assertEquals(2, perTask(2, "spark.master", "local[1]"));
        assertEquals(2, perTask(2, "spark.master", "local"));
        assertEquals(4, perTask(8, "spark.master", "local[2, 3]"), "local[N,F]: N tasks");
        assertEquals(1, perTask(32, "spark.master", "spark://h:7077", "spark.executor.cores", "4"));
        assertEquals(2, perTask(32, "spark.master", "yarn", "spark.executor.cores", "4", "spark.task.cpus", "2"));
        assertEquals(1, perTask(16, "spark.master", "spark://h:7077"), "an executor with every core runs as many tasks");
    }

    @Test
    void tasksOnLocalTwoRunOnOneThreadEachAndTheDriverKeepsAll() {
        int processors = Runtime.getRuntime().availableProcessors();
        int driverOmp = NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
        JobConfig.SparkSettings settings = new JobConfig.SparkSettings("local[2]", "task-threads-test", Map.of());
        try (JavaSparkContext sc = SparkContexts.create(settings)) {
            List<int[]> seen = sc.parallelize(IntStream.range(0, 8).boxed().toList(), 4).map(i -> new int[] {
                    ThreadBudget.threads(), NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads(),
                    (int) ThreadBudget.range(0, 64).filter(x -> true).count()}).collect();
            int expected = Math.max(1, processors / 2);
            for (int[] s : seen) {
                assertEquals(expected, s[0], "netslim's kernels in a task");
                assertEquals(expected, s[1], "OpenMP in a task");
                assertEquals(64, s[2]);
            }
        }
        assertEquals(processors, ThreadBudget.threads(), "the driver thread has no budget");
        assertEquals(driverOmp, NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads(),
                "the driver's OpenMP threads are untouched");
    }

    @Test
    void oneOpenMpRuntimeServesNd4jAndOneDnn() throws Exception {
        // the per-thread OpenMP setting reaches oneDNN only if libnd4j and javacpp's oneDNN share one libgomp
        org.nd4j.linalg.factory.Nd4j.create(1);
        org.bytedeco.javacpp.Loader.load(org.bytedeco.dnnl.global.dnnl.class);
        long copies = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(l -> l.contains("libgomp")).map(l -> l.substring(l.lastIndexOf(' ') + 1)).distinct().count();
        assertEquals(1, copies, "libgomp copies mapped");
    }
}
