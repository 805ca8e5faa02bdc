package io.netslim.bench;

import io.netslim.pipeline.Networks;
import io.netslim.pipeline.ChannelMultiple;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import io.netslim.metrics.ModelStats;
import io.netslim.metrics.Throughput;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.Pruner;
import io.netslim.train.TrainingKernels;
import io.netslim.train.TrainingNetworks;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Random;

/**
 * The figures of a large model that fit in a few minutes ({@code bench quick}): single-node training images/s
 * with the sparsity term, the params and FLOPs cut at each prune ratio with BN gammas from a fixed random draw
 * (an untrained model's are all equal), a few fine-tuning steps of each pruned network on the driver, and the
 * process's peak resident memory.
 */
public final class QuickBenchmark {
    private final JobConfig cfg;
    private final int runs;
    private final int steps;
    private final double warmupSeconds;
    private final List<Double> ratios;

    public QuickBenchmark(JobConfig cfg, int runs, int steps, double warmupSeconds, List<Double> ratios) {
        this.cfg = ChannelMultiple.resolved(cfg);
        this.runs = runs;
        this.steps = steps;
        this.warmupSeconds = warmupSeconds;
        this.ratios = ratios;
    }

    public ObjectNode run() {
        long[] shape = cfg.model().inputShape();
        if (shape == null) {
            throw new io.netslim.config.ConfigException("bench quick: set model.input-shape (it reads no data)");
        }
        int batch = cfg.train().batchSize();
        int classes = cfg.model().classes();
        ObjectNode out = new ObjectMapper().createObjectNode();
        out.put("model", cfg.model().arch() + "-" + cfg.model().depth());
        out.putArray("input_shape").add(shape[0]).add(shape[1]).add(shape[2]);
        out.put("batch_size", batch);
        out.put("threads", Runtime.getRuntime().availableProcessors());
        out.put("warmup_seconds", warmupSeconds);
        out.put("steps_per_run", steps);
        TrainingKernels kernels = TrainingKernels.here(cfg.train().kernels()).kernels();
        out.put("kernels", kernels.id());
        double[] train = Throughput.train(List.of(Networks.forTraining(cfg, shape, cfg.sparsityLambda(), kernels)),
                shape, classes, batch, warmupSeconds, steps, runs);
        out.put("train_images_per_s", train[0]);
        out.put("train_runs", runs);

        ComputationGraph plain = Networks.initialised(cfg, shape);
        randomGammas(plain);
        ModelStats before = ModelStats.of(plain, shape);
        out.put("params", before.params());
        out.put("flops", before.flops());
        Pruner pruner = Pruner.of(cfg.prune());
        DependencyGraph deps = pruner.dependencies(plain);
        out.put("channel_selection", cfg.prune().channelSelection().key());
        out.put("channel_multiple", cfg.prune().channelMultiple());
        out.put("groups", deps.groups().size());
        ArrayNode pruned = out.putArray("pruned");
        for (double ratio : ratios) {
            long t0 = System.nanoTime();
            Pruner.Result cut = pruner.prune(plain, deps, ratio, "the benchmarked model");
            ComputationGraph small = cut.pruned();
            double pruneSeconds = (System.nanoTime() - t0) / 1e9;
            ModelStats after = ModelStats.of(small, shape);
            // fine-tuning on the driver: the pruned network's trainer, as LocalTrainer runs it
            double[] tune = Throughput.train(List.of(TrainingNetworks.fineTuningTwin(small, cfg.train(), kernels)),
                    shape, classes, cfg.finetune().batchSize(), 0, steps, 1);
            pruned.addObject().put("ratio", ratio).put("prune_seconds", pruneSeconds)
                    .put("channels_removed", cut.removedChannels())
                    .put("params", after.params()).put("flops", after.flops())
                    .put("params_cut", 1 - (double) after.params() / before.params())
                    .put("flops_cut", 1 - (double) after.flops() / before.flops())
                    .put("finetune_images_per_s", tune[0]);
        }
        out.put("peak_rss_mb", Benchmark.peakRssMb());
        out.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024.0 * 1024));
        out.put("offheap_limit", System.getProperty("org.bytedeco.javacpp.maxbytes", ""));
        return out;
    }

    /** A fixed random draw of |N(0,1)| for every BN gamma, the same every time. */
    static void randomGammas(ComputationGraph g) {
        Random rnd = new Random(7);
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization) {
                INDArray gamma = l.getParam("gamma");
                for (int i = 0; i < gamma.length(); i++) {
                    gamma.putScalar(i, Math.abs(rnd.nextGaussian()));
                }
            }
        }
    }
}
