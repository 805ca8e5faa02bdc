package io.netslim.metrics;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.List;

/** Training and inference speed of a network on random inputs, as medians of repeated timed runs. */
public final class Throughput {
    private Throughput() {
    }

    /**
     * Median images/s of single-node training steps of each graph ({@code steps} per run). Runs alternate between
     * the graphs, in reversed order every other round, so that machine drift and position favour none of them;
     * untimed rounds of the same kind come first for at least {@code warmupSeconds}, since the JIT takes a few
     * hundred steps to compile the Java kernels fully (a few steps of warm-up leave the first graph timed well below
     * its steady speed: docs/performance.md).
     */
    public static double[] train(List<ComputationGraph> graphs, long[] shape, int classes, int batch,
                                 double warmupSeconds, int steps, int runs) {
        return Arrays.stream(trainRuns(graphs, shape, classes, batch, warmupSeconds, steps, runs))
                .mapToDouble(Throughput::median).toArray();
    }

    /** Like {@link #train}, but every timed run's images/s: {@code [graph][run]}. */
    public static double[][] trainRuns(List<ComputationGraph> graphs, long[] shape, int classes, int batch,
                                       double warmupSeconds, int steps, int runs) {
        DataSet ds = new DataSet(Nd4j.rand(DataType.FLOAT, batch, shape[0], shape[1], shape[2]),
                Nd4j.eye(classes).getRows(java.util.stream.IntStream.range(0, batch).map(i -> i % classes).toArray())
                        .castTo(DataType.FLOAT));
        long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
        do {
            for (ComputationGraph g : graphs) {
                for (int i = 0; i < steps; i++) {
                    g.fit(ds);
                }
            }
        } while (System.nanoTime() < warmupEnd);
        double[][] rates = new double[graphs.size()][runs];
        for (int r = 0; r < runs; r++) {
            for (int j = 0; j < graphs.size(); j++) {
                // ABBA order: every graph runs first as often as last
                int k = r % 2 == 0 ? j : graphs.size() - 1 - j;
                long t0 = System.nanoTime();
                for (int i = 0; i < steps; i++) {
                    graphs.get(k).fit(ds);
                }
                rates[k][r] = (double) steps * batch / ((System.nanoTime() - t0) / 1e9);
            }
        }
        return rates;
    }

    /** Measured single-precision matrix-multiply speed of this machine through ND4J, GFLOP/s. */
    public static double gemmGflops(int n, int runs) {
        var a = Nd4j.rand(DataType.FLOAT, n, n);
        var b = Nd4j.rand(DataType.FLOAT, n, n);
        a.mmul(b);
        double[] g = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            a.mmul(b);
            g[r] = 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9) / 1e9;
        }
        return median(g);
    }

    /** The median of {@code v} (the upper one for an even count). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
