package io.netslim.train;

import io.netslim.metrics.EpochMetrics;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.ShufflePlan;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Data-parallel training on Spark with parameter averaging ({@code train.averaging}: netslim's, see
 * {@link NetslimAveraging}, or DL4J's training master): each epoch the executors read and augment their own
 * ranges of the data, train replicas, and parameters and updater state are averaged
 * every {@code train.averaging-frequency} minibatches (with {@code auto}, a frequency chosen from a few
 * measured rounds, see {@link #averaging}). A checkpoint is saved after every epoch and,
 * with {@code train.checkpoint-every}, every that many averaging rounds; training resumes from the newest.
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /**
     * Auto's probe: rounds of this many minibatches per worker (at least 2, so a round's first step, which
     * follows the network's rebuild from the broadcast, can be told from steady ones) ...
     */
    static final int PROBE_FREQUENCY = 2;
    /** ... this many of them, the first left out as warm-up (JIT, first broadcast, executor start-up). */
    static final int PROBE_ROUNDS = 4;

    /** The trained network and the throughput of this run (resumed runs count only what they trained). */
    public record Result(ComputationGraph graph, long images, double seconds, String approach,
                         WorkerScaling scaling, List<String> warnings, AveragingFrequency averaging) {
        public double imagesPerSecond() {
            return seconds > 0 ? images / seconds : 0;
        }
    }

    private SparkTrainer() {
    }

    public static Result train(JavaSparkContext sc, ComputationGraph graph, ImageSource data,
                               JobConfig.TrainConfig cfg, CheckpointStore checkpoints, EpochListener listener) {
        int workers = cfg.workers() > 0 ? cfg.workers() : sc.defaultParallelism();
        TrainingApproach approach = TrainingApproach.resolve(cfg.netslimAveraging() ? "direct" : cfg.approach(),
                sc.hadoopConfiguration(), sc.sc().applicationId());
        if (cfg.netslimAveraging()) {
            if (cfg.approach().equals("export")) {
                LOG.warn("train.approach = export applies to train.averaging = dl4j only: netslim's averaging keeps "
                        + "the minibatches cached in executor memory");
            }
            LOG.info("parameter averaging: netslim's (state sharded across the executors through Spark's shuffle; "
                    + "minibatches cached in executor memory)");
        } else {
            LOG.info("parameter averaging: DL4J's training master; training approach: {}", approach);
        }
        WorkerScaling scaling = WorkerScaling.of(cfg, workers, data.trainCount());
        double lambda = TrainingNetworks.lambdaOf(graph.getConfiguration());
        LOG.info(scaling.line(cfg, lambda));
        List<String> warnings = scaling.warnings(cfg, lambda, SparsityStart.meanAbsGamma(graph));
        warnings.forEach(w -> LOG.warn("sparsity training: {}", w));
        var restored = checkpoints.latest();
        AveragingFrequency averaging = averaging(sc, restored.map(CheckpointStore.Checkpoint::net).orElse(graph), data,
                cfg, workers, approach, restored.map(c -> c.next().averagingFrequency()).orElse(0));
        LOG.info(averaging.line());
        int frequency = averaging.frequency();
        long imagesPerRound = (long) workers * frequency * cfg.batchSize();
        int chunks = cfg.checkpointEvery() > 0
                ? (int) Math.max(1, (data.trainCount() + imagesPerRound * cfg.checkpointEvery() - 1)
                        / (imagesPerRound * cfg.checkpointEvery()))
                : 1;
        TrainingPosition start = new TrainingPosition(0, 0, frequency, graph.getConfiguration().getIterationCount());
        if (restored.isPresent()) {
            graph = restored.get().net();
            start = restored.get().next();
            LOG.info("resuming sparsity training from checkpoint {}: epoch {}/{}, chunk {}/{}", restored.get().name(),
                    start.epoch() + 1, cfg.epochs(), start.chunk() + 1, chunks);
        }
        StepSchedule schedule = new StepSchedule(cfg.lr());
        ComputationGraph net = graph;
        // the warm-up counts sequential steps from where training began, recorded in every checkpoint
        int warmupStart = start.warmupStart() >= 0 ? start.warmupStart() : net.getConfiguration().getIterationCount();
        double score = Double.NaN;
        ParameterAveragingTrainingMaster master = null;
        long images = 0;
        long startNanos = System.nanoTime();
        long done = (long) start.epoch() * data.trainCount() + (long) start.chunk() * data.trainCount() / chunks;
        try {
            for (int epoch = start.epoch(); epoch < cfg.epochs(); epoch++) {
                double lr = scaling.lr(schedule, epoch);
                long t0 = System.nanoTime();
                long epochImages = 0;
                int firstChunk = epoch == start.epoch() ? start.chunk() : 0;
                for (int chunk = firstChunk; chunk < chunks; chunk++) {
                    // Every random draw of a chunk comes from (seed, epoch, chunk): the minibatches, DL4J's split of
                    // them into averaging rounds (the master's RNG) and ND4J's RNG; a resumed chunk is the same.
                    long chunkSeed = ShufflePlan.mix(ShufflePlan.mix(cfg.seed(), epoch), chunk);
                    org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(chunkSeed);
                    net.setLearningRate(scaling.schedule(schedule, epoch, warmupStart));
                    ImageSource.Minibatches batches = data.trainMinibatches(sc, cfg.batchSize(), workers, cfg.seed(),
                            epoch, chunk, chunks);
                    if (cfg.netslimAveraging()) {
                        score = NetslimAveraging.fit(sc, net, batches.rdd(), frequency, chunkSeed, false).score();
                    } else {
                        master = master(cfg.batchSize(), frequency, workers, approach, chunkSeed);
                        SparkComputationGraph spark = new SparkComputationGraph(sc, net, master);
                        java.util.Set<Integer> cachedBefore = new java.util.HashSet<>(sc.getPersistentRDDs().keySet());
                        spark.fit(batches.rdd());
                        // DL4J caches its own copy of the minibatches and leaves it cached: release what this fit
                        // cached, and nothing the rest of the application may hold.
                        sc.getPersistentRDDs().forEach((id, rdd) -> {
                            if (!cachedBefore.contains(id)) {
                                rdd.unpersist(false);
                            }
                        });
                        // Export: this fit's minibatch files are never read again (the next fit exports anew).
                        master.deleteTempFiles(sc);
                        net = spark.getNetwork();
                        score = spark.getScore();
                    }
                    String where = "in epoch " + (epoch + 1) + (chunks > 1 ? ", chunk " + (chunk + 1) : "");
                    DivergenceGuard.check("sparsity training", net, score, where);
                    epochImages += batches.images();
                    TrainingPosition next = chunk + 1 < chunks
                            ? new TrainingPosition(epoch, chunk + 1, frequency, warmupStart)
                            : new TrainingPosition(epoch + 1, 0, frequency, warmupStart);
                    checkpoints.save(net, next);
                    images += batches.images();
                    LOG.info(ProgressListener.line("sparsity training", epoch + 1, cfg.epochs(), done + images,
                            (long) cfg.epochs() * data.trainCount(), images / ((System.nanoTime() - startNanos) / 1e9),
                            score));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                listener.onEpoch(new EpochMetrics(io.netslim.artifacts.Stage.SPARSE.step, epoch + 1, cfg.epochs(), score, lr,
                        epochImages / seconds, seconds), net);
                LOG.info(String.format("sparsity training epoch %d/%d: lr %.4g, %d images in %.1f s (%.1f img/s on %d workers), loss %.4f",
                        epoch + 1, cfg.epochs(), lr, epochImages, seconds, epochImages / seconds, workers, score));
            }
        } finally {
            if (master != null) {
                master.deleteTempFiles(sc);
            }
            approach.cleanUp(sc.hadoopConfiguration());
            if (cfg.netslimAveraging() && sc.isLocal()) {
                ReplicaPool.clear(); // the executors are this JVM: fine-tuning gets their memory back
            }
        }
        // a saved model carries DL4J's own schedule (its rate from schedule to a number fails in DL4J's refreshUpdater)
        net.setLearningRate(new FixedSchedule(scaling.lr(schedule, cfg.epochs() - 1)));
        double total = (System.nanoTime() - startNanos) / 1e9;
        return new Result(net, images, total, approach.name(), scaling, warnings, averaging);
    }

    /**
     * The averaging frequency to train at: the configured one; with auto, the one a resumed run's checkpoint
     * recorded ({@code stored}, 0 if none: its chunks were cut at it), else chosen from {@link #PROBE_ROUNDS}
     * rounds of {@link #PROBE_FREQUENCY} minibatches per worker trained on a copy of {@code net}, which is
     * discarded: training then runs exactly as with that frequency configured.
     */
    static AveragingFrequency averaging(JavaSparkContext sc, ComputationGraph net, ImageSource data,
                                        JobConfig.TrainConfig cfg, int workers, TrainingApproach approach, int stored) {
        if (!cfg.autoAveraging()) {
            return AveragingFrequency.configured(cfg.averagingFrequency());
        }
        if (stored > 0) {
            return AveragingFrequency.fromCheckpoint(stored);
        }
        long perRound = (long) workers * PROBE_FREQUENCY * cfg.batchSize();
        int cap = AveragingFrequency.cap((data.trainCount() + (long) workers * cfg.batchSize() - 1)
                / ((long) workers * cfg.batchSize()));
        try {
            // The first records of epoch 1's order, enough for the probe's rounds (all of them on a small set).
            int probeChunks = (int) Math.max(1, Math.min(Integer.MAX_VALUE / workers,
                    data.trainCount() / (perRound * PROBE_ROUNDS)));
            ImageSource.Minibatches batches = data.trainMinibatches(sc, cfg.batchSize(), workers, cfg.seed(), 0, 0,
                    probeChunks);
            AveragingRound round = AveragingProbe.measure(sc, net, batches.rdd(), workers, cfg.batchSize(),
                    PROBE_FREQUENCY, approach, ShufflePlan.mix(cfg.seed(), -1), 1, cfg.netslimAveraging());
            return AveragingFrequency.measured(round, cap);
        } catch (Exception e) { // DL4J's statistics failed (e.g. its NTP clock on executors): train anyway
            LOG.warn("train.averaging-frequency = auto: measuring the first rounds failed, using {}: {}",
                    AveragingFrequency.FALLBACK, e.toString());
            return AveragingFrequency.fallback(e.toString());
        }
    }

    /** DL4J's parameter averaging for one fit, its random split of the minibatches into rounds drawn from {@code seed}. */
    static ParameterAveragingTrainingMaster master(int batchSize, int frequency, int workers,
                                                   TrainingApproach approach, long seed) {
        ParameterAveragingTrainingMaster.Builder builder = new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
                .batchSizePerWorker(batchSize)
                .averagingFrequency(frequency)
                .workerPrefetchNumBatches(2)
                .saveUpdater(true)
                .rddTrainingApproach(approach.dl4j())
                .rngSeed(seed)
                // The minibatch RDD already has one partition per worker; cache it deserialised so the
                // per-round splits do not re-read or re-deserialise the data, and skip the shuffle.
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .repartionData(Repartition.NumPartitionsWorkersDiffers);
        if (approach.exportDirectory() != null) {
            builder.exportDirectory(approach.exportDirectory());
        }
        return builder.build();
    }
}
