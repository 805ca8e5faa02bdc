package io.netslim.metrics;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/** Inference latency of a network: the median wall time of one forward pass over a batch of random inputs. */
public final class Latency {
    private Latency() {
    }

    /** Median milliseconds per forward pass of {@code batch} images, after {@code warmup} untimed passes. */
    public static double millis(ComputationGraph graph, long[] inputShape, int batch, int warmup, int repeats) {
        return alternating(List.of(graph), inputShape, batch, warmup, repeats)[0];
    }

    /**
     * Median milliseconds per forward pass of {@code batch} images for each graph, timed one pass at a time in
     * alternating order (reversed every other round), after {@code warmup} untimed passes each: machine drift then
     * favours none of them, which one-graph-after-the-other timing on a shared machine does not guarantee.
     */
    public static double[] alternating(List<ComputationGraph> graphs, long[] inputShape, int batch, int warmup,
                                       int repeats) {
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, inputShape[0], inputShape[1], inputShape[2]);
        return alternatingPasses(graphs.stream().<Runnable>map(g -> () -> g.outputSingle(false, x)).toList(), warmup,
                repeats);
    }

    /**
     * Median milliseconds of each forward pass (of any engine), timed one at a time in alternating order (reversed
     * every other round) after {@code warmup} untimed runs of each.
     */
    public static double[] alternatingPasses(List<? extends Runnable> passes, int warmup, int repeats) {
        for (Runnable p : passes) {
            for (int i = 0; i < warmup; i++) {
                p.run();
            }
        }
        double[][] times = new double[passes.size()][repeats];
        for (int r = 0; r < repeats; r++) {
            for (int j = 0; j < passes.size(); j++) {
                int k = r % 2 == 0 ? j : passes.size() - 1 - j;
                long t0 = System.nanoTime();
                passes.get(k).run();
                times[k][r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        return java.util.Arrays.stream(times).mapToDouble(Throughput::median).toArray();
    }
}
