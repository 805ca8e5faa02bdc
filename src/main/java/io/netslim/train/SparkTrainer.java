package io.netslim.train;

import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Data-parallel training on Spark with DL4J's parameter averaging: each epoch the executors read and
 * augment their own ranges of the data, train replicas, and the driver averages parameters and updater
 * state every {@code train.averaging-frequency} minibatches.
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /** Throughput of one finished run. */
    public record Result(ComputationGraph graph, long images, double seconds, double lastScore) {
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }
    }

    private SparkTrainer() {
    }

    public static Result train(JavaSparkContext sc, ComputationGraph graph, ImageSource data,
                               JobConfig.TrainConfig cfg) {
        int workers = cfg.workers() > 0 ? cfg.workers() : sc.defaultParallelism();
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, cfg.batchSize())
                .batchSizePerWorker(cfg.batchSize())
                .averagingFrequency(cfg.averagingFrequency())
                .workerPrefetchNumBatches(2)
                .saveUpdater(true)
                // Export needs a non-local default FS for its temporary minibatch files; Direct trains
                // from the RDD itself and works everywhere.
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .rngSeed(cfg.seed())
                // The minibatch RDD already has one partition per worker; cache it deserialised so the
                // per-round splits do not re-read or re-deserialise the epoch, and skip the shuffle.
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .repartionData(Repartition.NumPartitionsWorkersDiffers)
                .build();
        SparkComputationGraph spark = new SparkComputationGraph(sc, graph, master);
        StepSchedule schedule = new StepSchedule(cfg.lr());
        long images = 0;
        long start = System.nanoTime();
        try {
            for (int epoch = 0; epoch < cfg.epochs(); epoch++) {
                double lr = schedule.forEpoch(epoch, cfg.epochs());
                spark.getNetwork().setLearningRate(lr);
                long t0 = System.nanoTime();
                JavaRDD<DataSet> batches = data.trainMinibatches(sc, cfg.batchSize(), workers, cfg.seed(), epoch);
                spark.fit(batches);
                double seconds = (System.nanoTime() - t0) / 1e9;
                images += data.trainCount();
                LOG.info(String.format("sparsity training epoch %d/%d: lr %.4g, %d images in %.1f s (%.1f img/s on %d workers), loss %.4f",
                        epoch + 1, cfg.epochs(), lr, data.trainCount(), seconds, data.trainCount() / seconds,
                        workers, spark.getScore()));
            }
        } finally {
            master.deleteTempFiles(sc);
        }
        double total = (System.nanoTime() - start) / 1e9;
        return new Result(spark.getNetwork(), images, total, spark.getScore());
    }
}
