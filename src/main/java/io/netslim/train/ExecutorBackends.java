package io.netslim.train;

import org.apache.spark.api.java.JavaSparkContext;

import java.util.List;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The ND4J backends Spark's executors run (CPU, CUDA, ...), asked of them with one small job, so that
 * {@code train.kernels = auto} follows where sparsity training runs rather than the driver, which may have no GPU.
 */
public final class ExecutorBackends {
    private ExecutorBackends() {
    }

    /** The executors' ND4J backends: in local mode this JVM's; else one task per default-parallelism slot says. */
    public static List<String> of(JavaSparkContext sc) {
        if (sc.isLocal()) {
            return List.of(TrainingKernels.backend());
        }
        int slots = Math.max(1, sc.defaultParallelism());
        List<Integer> tasks = IntStream.range(0, slots).boxed().toList();
        sc.setJobDescription("netslim: which ND4J backend the executors run");
        try {
            return List.copyOf(new TreeSet<>(sc.parallelize(tasks, slots).map(i -> TrainingKernels.backend())
                    .distinct().collect()));
        } finally {
            sc.setJobDescription(null);
        }
    }

    /** {@code train.kernels} resolved for the executors' backends. */
    public static TrainingKernels.Choice choose(String configured, JavaSparkContext sc) {
        return TrainingKernels.choose(configured, of(sc), sc.isLocal() ? "the driver (local mode)" : "the executors");
    }
}
