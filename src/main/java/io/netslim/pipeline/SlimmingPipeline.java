package io.netslim.pipeline;

import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.GammaTable;
import io.netslim.artifacts.RunReport;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.data.Augmentation;
import io.netslim.data.ImageSource;
import io.netslim.data.InMemoryIterator;
import io.netslim.metrics.Accuracy;
import io.netslim.metrics.ModelStats;
import io.netslim.prune.BnScaleImportance;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.GlobalThreshold;
import io.netslim.prune.NetworkSurgeon;
import io.netslim.prune.PrunePlan;
import io.netslim.sparsity.SparsityPenalty;
import io.netslim.train.LocalTrainer;
import io.netslim.train.SparkContexts;
import io.netslim.train.SparkTrainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * The Network Slimming job: for each pass, sparsity training on Spark, pruning into a smaller network
 * and single-node fine-tuning, each evaluated on the test set; every artifact goes to the output folder.
 */
public final class SlimmingPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SlimmingPipeline.class);

    /** File names of the artifacts, relative to the output folder (the last pass's, when several ran). */
    public static final String SPARSE = "sparse.zip";
    public static final String PRUNED = "pruned.zip";
    public static final String FINETUNED = "finetuned.zip";
    public static final String GAMMAS = "gammas.csv";
    public static final String REPORT = "report.json";

    private final JobConfig cfg;

    public SlimmingPipeline(JobConfig cfg) {
        this.cfg = cfg;
    }

    /** Runs every stage of every pass; returns the output folder's URI. */
    public String run() {
        String output = RunOutput.resolve(cfg.output());
        ImageSource data = ImageSource.open(cfg.data(), cfg.model().classes(), new Configuration());
        long[] shape = data.inputShape();
        long[] configured = cfg.model().inputShape();
        if (configured != null && !Arrays.equals(configured, shape)) {
            throw new ConfigException("model.input-shape = " + shapeText(configured) + " does not match the dataset's "
                    + shapeText(shape) + " (leave it empty to use the dataset's)");
        }
        LOG.info("data: {} training and {} test images of shape {} from {}", data.trainCount(), data.testCount(),
                shapeText(shape), cfg.data().path());
        try (JavaSparkContext sc = SparkContexts.create(cfg.spark())) {
            ArtifactStore store = ArtifactStore.open(output, sc.hadoopConfiguration());
            LOG.info("output: {}", store.uri());
            RunReport report = new RunReport(cfg.rendered());
            InMemoryIterator test = new InMemoryIterator(data.loadTest(), cfg.evalBatchSize(), Augmentation.NONE,
                    false, 0);
            ComputationGraph original = Networks.forSparsityTraining(cfg, shape);
            LOG.info("model {}-{}: {} parameters; sparsity lambda {}", cfg.model().arch(), cfg.model().depth(),
                    original.numParams(), cfg.sparsityLambda());
            ModelStats originalStats = ModelStats.of(original, shape);

            ComputationGraph start = original;
            RunReport.Section first = null;
            RunReport.Section section = null;
            ComputationGraph tuned = null;
            for (int pass = 1; pass <= cfg.passes(); pass++) {
                section = report.pass(pass);
                first = first == null ? section : first;
                String prefix = cfg.passes() == 1 || pass == cfg.passes() ? "" : "pass-" + pass + "/";
                tuned = runPass(sc, start, data, test, store, section, prefix, pass);
                if (pass < cfg.passes()) {
                    start = withPenalty(tuned);
                }
            }
            report.summarise(first, section);
            report.layers(originalStats, ModelStats.of(tuned, shape));
            store.writeText(REPORT, report.toJson());
            store.removeTemporaries();
            LOG.info("done: artifacts in {}", store.uri());
            return store.uri();
        }
    }

    /** One pass: sparsity training, pruning, fine-tuning; returns the fine-tuned (stock) network. */
    private ComputationGraph runPass(JavaSparkContext sc, ComputationGraph start, ImageSource data,
                                     InMemoryIterator test, ArtifactStore store, RunReport.Section report,
                                     String prefix, int pass) {
        String label = cfg.passes() == 1 ? "" : "pass " + pass + "/" + cfg.passes() + ": ";
        long[] shape = data.inputShape();

        // 1. Sparsity training, distributed.
        long t0 = System.nanoTime();
        SparkTrainer.Result trained = SparkTrainer.train(sc, start, data, cfg.train());
        ComputationGraph sparse = SparsityPenalty.strip(trained.graph());
        double sparseAcc = Accuracy.of(sparse, test);
        report.stage("sparse", sparseAcc, seconds(t0))
                .put("train_images_per_s", trained.imagesPerSecond())
                .put("images", trained.images());
        store.writeModel(prefix + SPARSE, sparse);
        store.writeText(prefix + GAMMAS, GammaTable.csv(sparse));
        LOG.info("{}sparse model: test accuracy {}", label, fmt(sparseAcc));

        // 2. Prune, on the driver.
        t0 = System.nanoTime();
        DependencyGraph deps = DependencyGraph.of(sparse.getConfiguration(), cfg.prune().channelSelection());
        PrunePlan plan = new GlobalThreshold(cfg.prune().ratio(), cfg.prune().minChannels(),
                cfg.prune().maxLayerRatio()).plan(sparse, deps, new BnScaleImportance());
        plan.notes().forEach(n -> LOG.warn("{}prune: {}", label, n));
        ComputationGraph pruned = NetworkSurgeon.prune(sparse, deps, plan);
        double pruneSeconds = seconds(t0);
        double prunedAcc = Accuracy.of(pruned, test);
        report.stage("pruned", prunedAcc, pruneSeconds);
        int prunable = deps.groups().values().stream().mapToInt(g -> g.channels()).sum();
        report.prune(plan.ratio(), plan.threshold(), plan.removedChannels(deps), prunable, plan.notes());
        ModelStats before = ModelStats.of(sparse, shape);
        ModelStats after = ModelStats.of(pruned, shape);
        report.models(before, after);
        store.writeModel(prefix + PRUNED, pruned);
        LOG.info("{}pruned {} of {} prunable channels (threshold {}): params {} -> {}, FLOPs {} -> {}, "
                        + "test accuracy before fine-tuning {}", label, plan.removedChannels(deps), prunable,
                fmt(plan.threshold()), before.params(), after.params(), before.flops(), after.flops(), fmt(prunedAcc));

        // 3. Fine-tune, on the driver.
        t0 = System.nanoTime();
        InMemoryIterator train = new InMemoryIterator(data.loadTrain(), cfg.finetune().batchSize(),
                data.augmentation(), true, cfg.train().seed() + pass);
        double rate = LocalTrainer.fit(label + "fine-tune", pruned, train, cfg.finetune().epochs(),
                cfg.finetune().lr());
        double tunedAcc = Accuracy.of(pruned, test);
        report.stage("finetuned", tunedAcc, seconds(t0)).put("train_images_per_s", rate);
        store.writeModel(prefix + FINETUNED, pruned);
        LOG.info("{}fine-tuned model: test accuracy {}", label, fmt(tunedAcc));
        return pruned;
    }

    /** The same network and weights, with the L1 penalty back on for the next pass's sparsity training. */
    private ComputationGraph withPenalty(ComputationGraph graph) {
        ComputationGraph next = new ComputationGraph(SparsityPenalty.apply(graph.getConfiguration(),
                cfg.sparsityLambda(), cfg.train().weightDecay()));
        next.init(graph.params().dup(), false);
        return next;
    }

    private static String shapeText(long[] s) {
        return s[0] + "x" + s[1] + "x" + s[2];
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
