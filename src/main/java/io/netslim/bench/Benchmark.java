package io.netslim.bench;

import io.netslim.train.LazySpark;
import io.netslim.pipeline.Networks;
import io.netslim.pipeline.ChannelMultiple;
import io.netslim.runtime.HadoopConf;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.Normalization;
import io.netslim.export.OnnxExporter;
import io.netslim.export.OnnxRuntimeLatency;
import io.netslim.metrics.Latency;
import io.netslim.metrics.ModelStats;
import io.netslim.metrics.Throughput;
import io.netslim.prune.Pruner;
import io.netslim.train.CheckpointStore;
import io.netslim.train.SparkTrainer;
import io.netslim.train.TrainingKernels;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The speed figures of the configured model, measured the same way every time (medians of repeated runs
 * after warm-up): single-node training with and without the sparsity term, Spark parameter averaging on
 * the same cores, inference at batch 1, 64 and 256 before and after pruning in DL4J, and at batch 1 and 64 of the
 * ONNX exports in ONNX Runtime, and the machine's GEMM speed.
 */
public final class Benchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SPARK_IMAGES = 2560;
    /** Training steps per timed run. */
    private static final int TRAIN_STEPS = 10;
    /** Environment variables that steer an OpenMP runtime (reported with every training figure). */
    public static final Pattern OPENMP_VARIABLE = Pattern.compile("(OMP|KMP|GOMP)_.*");
    private final JobConfig cfg;
    private final ChannelMultiple multiple;
    private final int runs;
    private final double warmupSeconds;
    private final boolean inferenceOnly;

    /**
     * @param runs          timed repetitions per figure
     * @param warmupSeconds untimed training before the training figures are timed (the JIT's steady state)
     */
    public Benchmark(JobConfig cfg, int runs, double warmupSeconds) {
        this(cfg, runs, warmupSeconds, false);
    }

    /** @param inferenceOnly only the pruning and inference figures (no training, Spark or GEMM) */
    public Benchmark(JobConfig cfg, int runs, double warmupSeconds, boolean inferenceOnly) {
        this.multiple = ChannelMultiple.of(cfg.prune());
        this.cfg = multiple.applyTo(cfg);
        this.runs = runs;
        this.warmupSeconds = warmupSeconds;
        this.inferenceOnly = inferenceOnly;
    }

    /** Timed runs of each training graph: the two figures differ by less than the noise; at least 8 each. */
    public int trainingRuns() {
        return Math.max(8, 3 * runs);
    }

    /**
     * Only single-node sparsity training of one graph, the way a run trains: {@code runs} timed runs of 10 steps
     * after the warm-up, each run's images/s and their median, and the environment the JVM ran in. The side of a
     * comparison with another framework run in its own process (submit/bench-compare).
     */
    public ObjectNode trainOnly(boolean spark) {
        long[] shape = cfg.model().inputShape();
        ImageSource data = null;
        if (shape == null || spark) {
            data = sparkSlice();
            shape = data.inputShape();
        }
        int batch = cfg.train().batchSize();
        ObjectNode out = JSON.createObjectNode();
        out.put("model", cfg.model().arch() + "-" + cfg.model().depth());
        out.putArray("input_shape").add(shape[0]).add(shape[1]).add(shape[2]);
        out.put("classes", cfg.model().classes());
        out.put("batch_size", batch);
        out.put("threads", Runtime.getRuntime().availableProcessors());
        out.put("sparsity_lambda", cfg.sparsityLambda());
        TrainingKernels k = TrainingKernels.here(cfg.train().kernels()).kernels();
        out.put("kernels", k.id());
        out.put("warmup_seconds", warmupSeconds);
        out.put("steps_per_run", TRAIN_STEPS);
        double[] rates = Throughput.trainRuns(List.of(Networks.forTraining(cfg, shape, cfg.sparsityLambda(), k)),
                shape, cfg.model().classes(), batch, warmupSeconds, TRAIN_STEPS, runs)[0];
        out.put("train_images_per_s", Throughput.median(rates));
        var all = out.putArray("runs");
        Arrays.stream(rates).sorted().forEach(all::add);
        if (spark) {
            out.put("spark_images_per_s", sparkImagesPerSecond(data));
            out.put("spark_ratio", out.get("spark_images_per_s").asDouble() / out.get("train_images_per_s").asDouble());
        }
        out.put("peak_rss_mb", peakRssMb());
        ObjectNode env = out.putObject("environment");
        env.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        System.getenv().entrySet().stream().filter(e -> OPENMP_VARIABLE.matcher(e.getKey()).matches())
                .sorted(Map.Entry.comparingByKey()).forEach(e -> env.put(e.getKey(), e.getValue()));
        return out;
    }

    public ObjectNode run() {
        long[] shape = cfg.model().inputShape();
        ImageSource data = null;
        if (shape == null) {
            data = sparkSlice();
            shape = data.inputShape();
        }
        int batch = cfg.train().batchSize();
        int classes = cfg.model().classes();
        ObjectNode out = JSON.createObjectNode();
        out.put("model", cfg.model().arch() + "-" + cfg.model().depth());
        out.putArray("input_shape").add(shape[0]).add(shape[1]).add(shape[2]);
        out.put("batch_size", batch);
        out.put("threads", Runtime.getRuntime().availableProcessors());

        // Two graphs of each, built in the order lambda, 0, 0, lambda: in one JVM the graph built (and listed)
        // first trains a few percent slower than an identical one built after it, whatever its lambda.
        if (!inferenceOnly) {
            TrainingKernels.Choice kernels = TrainingKernels.here(cfg.train().kernels());
            out.put("kernels", kernels.kernels().id());
            TrainingKernels k = kernels.kernels();
            double[] train = Throughput.train(List.of(Networks.forTraining(cfg, shape, cfg.sparsityLambda(), k),
                    Networks.forTraining(cfg, shape, 0, k), Networks.forTraining(cfg, shape, 0, k),
                    Networks.forTraining(cfg, shape, cfg.sparsityLambda(), k)), shape, classes, batch, warmupSeconds,
                    TRAIN_STEPS, trainingRuns());
            out.put("warmup_seconds", warmupSeconds);
            out.put("train_images_per_s", (train[0] + train[3]) / 2);
            out.put("train_images_per_s_lambda0", (train[1] + train[2]) / 2);
        }
        ComputationGraph plain = Networks.initialised(cfg, shape);
        ModelStats stats = ModelStats.of(plain, shape);
        if (!inferenceOnly) {
            // forward + backward is about 3x the forward FLOPs
            out.put("train_gflops_achieved", 3.0 * stats.flops() * out.get("train_images_per_s").asDouble() / 1e9);
            out.put("gemm_gflops", Throughput.gemmGflops(1024, Math.max(3, runs)));
        }

        // Pruned at prune.ratio from the model's own gammas; an untrained model's are all equal, so a fixed
        // random draw stands in for them.
        QuickBenchmark.randomGammas(plain);
        long t0 = System.nanoTime();
        ComputationGraph pruned = Pruner.of(cfg.prune()).prune(plain, cfg.prune().ratio(), "the benchmarked model")
                .pruned();
        out.put("prune_seconds", (System.nanoTime() - t0) / 1e9);
        out.put("prune_ratio", cfg.prune().ratio());
        out.put("channel_multiple", multiple.multiple());
        out.put("channel_multiple_reason", multiple.reason());
        // unpruned and pruned alternate pass by pass: the speed-up is a ratio of two noisy figures
        List<ComputationGraph> both = List.of(plain, pruned);
        double[] ms1 = Latency.alternating(both, shape, 1, 5, 10 * Math.max(3, runs));
        double[] ms64 = Latency.alternating(both, shape, 64, 2, Math.max(10, 3 * runs));
        double[] ms256 = Latency.alternating(both, shape, 256, 2, Math.max(10, 3 * runs));
        ObjectNode infer = out.putObject("infer_images_per_s");
        for (int i = 0; i < 2; i++) {
            infer.putObject(i == 0 ? "unpruned" : "pruned").put("batch_1", 1000 / ms1[i])
                    .put("batch_64", 64_000 / ms64[i]).put("batch_256", 256_000 / ms256[i]);
        }
        out.put("speedup_ratio", ms256[0] / ms256[1]);
        out.put("speedup_ratio_batch_64", ms64[0] / ms64[1]);
        out.put("speedup_ratio_batch_1", ms1[0] / ms1[1]);
        out.put("flops_ratio", (double) ModelStats.of(pruned, shape).flops() / stats.flops());
        out.set("onnxruntime", onnxRuntime(plain, pruned, shape));

        if (!inferenceOnly && data != null) {
            out.put("spark_images_per_s", sparkImagesPerSecond(data));
        } else {
            out.putNull("spark_images_per_s");
        }
        out.put("peak_rss_mb", peakRssMb());
        return out;
    }

    /**
     * The ONNX exports of both models in ONNX Runtime: file sizes, images/s at batch 1 and 64 (the two models
     * timed in alternation) and the speed-up at each batch.
     */
    private ObjectNode onnxRuntime(ComputationGraph plain, ComputationGraph pruned, long[] shape) {
        List<byte[]> onnx = List.of(OnnxExporter.bytes(plain, shape, Normalization.NONE),
                OnnxExporter.bytes(pruned, shape, Normalization.NONE));
        double[] ms1 = OnnxRuntimeLatency.alternating(onnx, shape, 1, 5, 10 * Math.max(3, runs));
        double[] ms64 = OnnxRuntimeLatency.alternating(onnx, shape, 64, 2, Math.max(10, 3 * runs));
        ObjectNode ort = JSON.createObjectNode();
        ort.putObject("onnx_bytes").put("unpruned", onnx.get(0).length).put("pruned", onnx.get(1).length);
        ObjectNode infer = ort.putObject("infer_images_per_s");
        for (int i = 0; i < 2; i++) {
            infer.putObject(i == 0 ? "unpruned" : "pruned").put("batch_1", 1000 / ms1[i]).put("batch_64", 64_000 / ms64[i]);
        }
        ort.put("speedup_ratio_batch_64", ms64[0] / ms64[1]);
        ort.put("speedup_ratio_batch_1", ms1[0] / ms1[1]);
        return ort;
    }

    /** The slice of the training data Spark is timed on: enough rounds for a median, not a whole epoch. */
    private ImageSource sparkSlice() {
        JobConfig.DataConfig d = cfg.data();
        int slice = d.limitTrain() > 0 ? Math.min(d.limitTrain(), SPARK_IMAGES) : SPARK_IMAGES;
        return ImageSource.open(d.limitedTo(slice), cfg.model().classes(), HadoopConf.of(cfg.spark()));
    }

    /** Median per-epoch images/s of Spark parameter averaging over a slice of the data (first epoch is warm-up). */
    private double sparkImagesPerSecond(ImageSource data) {
        int epochs = runs + 1;
        JobConfig.TrainConfig t = cfg.train();
        JobConfig.TrainConfig bench = new JobConfig.TrainConfig(epochs, t.batchSize(), t.lr(), t.momentum(), t.nesterov(),
                t.weightDecay(), t.averagingFrequency(), t.workers(), t.seed(), 0, t.approach(), t.kernels(),
                t.workerScaling(), t.averaging());
        List<Double> rates = new ArrayList<>();
        try (LazySpark spark = new LazySpark(cfg.spark())) {
            SparkTrainer.train(spark.get(), Networks.forSparsityTraining(cfg, data.inputShape()), data, bench,
                    CheckpointStore.NONE, (m, net) -> rates.add(m.imagesPerSecond()));
        }
        return Throughput.median(rates.stream().skip(1).mapToDouble(Double::doubleValue).toArray());
    }

    static double peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (Exception e) {
            // not Linux: unknown
        }
        return -1;
    }
}
