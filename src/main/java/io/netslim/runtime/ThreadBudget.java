package io.netslim.runtime;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.stream.IntStream;

/**
 * How many cores the calling thread's kernels may use. A Spark task shares its executor's cores with the tasks
 * running beside it; when each of them also ran every kernel on all cores, the cores were oversubscribed. The
 * budget covers OpenMP (oneDNN and libnd4j, through the thread's own OpenMP thread count) and netslim's Java
 * kernels; a thread without one (the driver) uses every core.
 */
public final class ThreadBudget {
    private static final ThreadLocal<Integer> THREADS = new ThreadLocal<>();

    private ThreadBudget() {
    }

    /** The calling thread's budget: what {@link #limit} set, else every core. */
    public static int threads() {
        Integer t = THREADS.get();
        return t == null ? Runtime.getRuntime().availableProcessors() : t;
    }

    /** Limits the calling thread's kernels to {@code threads} cores (OpenMP on ND4J's CPU backend too). */
    public static void limit(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread budget " + threads + " < 1");
        }
        THREADS.set(threads);
        if (Nd4j.getEnvironment().isCPU()) {
            // omp_set_num_threads: the calling thread's own OpenMP setting, which oneDNN's primitives follow
            NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        }
    }

    /** {@code [from, to)}, in parallel when the calling thread may use more than one core. */
    public static IntStream range(int from, int to) {
        IntStream range = IntStream.range(from, to);
        return threads() > 1 ? range.parallel() : range;
    }
}
