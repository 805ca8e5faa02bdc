package io.netslim.train;

import io.netslim.runtime.NativeDefaults;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;

import java.util.HashSet;
import java.util.Set;

/**
 * Measures parameter-averaging rounds: trains a copy of a network on some minibatches, with netslim's averaging
 * ({@link NetslimAveraging}, timing its own tasks) or DL4J's (its training statistics on), and returns what a round
 * cost ({@link AveragingRound}), with what passed through the driver ({@link DriverTraffic}). The copy is discarded, so the network
 * and everything training does afterwards are what they would have been without the probe.
 */
public final class AveragingProbe {
    private AveragingProbe() {
    }

    /**
     * Fits a copy of {@code net} on {@code minibatches} (one partition per worker) averaging every
     * {@code frequency} minibatches, and measures its rounds, the first {@code warmupRounds} left out.
     */
    public static AveragingRound measure(JavaSparkContext sc, ComputationGraph net, JavaRDD<DataSet> minibatches,
                                         int workers, int batchSize, int frequency, TrainingApproach approach,
                                         long seed, int warmupRounds, boolean netslim) {
        // DL4J's statistics on the system clock: executors in this JVM (local mode) read it here, others get it
        // with their JVM flags (NativeDefaults.javaOptions, submit/lib/spark-submit-args.sh).
        if (System.getProperty(NativeDefaults.DL4J_TIME_SOURCE) == null) {
            System.setProperty(NativeDefaults.DL4J_TIME_SOURCE, NativeDefaults.SYSTEM_CLOCK);
        }
        ComputationGraph copy = net.clone();
        if (netslim) {
            try (DriverTraffic traffic = DriverTraffic.listen(sc)) {
                NetslimAveraging.Fit fit = NetslimAveraging.fit(sc, copy, minibatches, frequency, seed, true);
                traffic.drain();
                return AveragingRound.of(fit, net, workers, frequency, warmupRounds, traffic);
            }
        }
        ParameterAveragingTrainingMaster master = SparkTrainer.master(batchSize, frequency, workers, approach, seed);
        master.setCollectTrainingStats(true);
        Set<Integer> cachedBefore = new HashSet<>(sc.getPersistentRDDs().keySet());
        try (DriverTraffic traffic = DriverTraffic.listen(sc)) {
            SparkComputationGraph spark = new SparkComputationGraph(sc, copy, master);
            spark.fit(minibatches);
            traffic.drain();
            return AveragingRound.of(master.getTrainingStats(), net, workers, frequency, warmupRounds, traffic);
        } finally {
            sc.getPersistentRDDs().forEach((id, rdd) -> {
                if (!cachedBefore.contains(id)) {
                    rdd.unpersist(false);
                }
            });
            master.deleteTempFiles(sc);
        }
    }
}
