package io.netslim.pipeline;

import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.GammaTable;
import io.netslim.artifacts.RunReport;
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

/**
 * The Network Slimming job, stage by stage: sparsity training on Spark, pruning into a smaller
 * network, single-node fine-tuning, evaluation, and every artifact written to the output folder.
 */
public final class SlimmingPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SlimmingPipeline.class);

    /** File names of the artifacts, relative to the output folder. */
    public static final String SPARSE = "sparse.zip";
    public static final String PRUNED = "pruned.zip";
    public static final String FINETUNED = "finetuned.zip";
    public static final String GAMMAS = "gammas.csv";
    public static final String REPORT = "report.json";

    private final JobConfig cfg;

    public SlimmingPipeline(JobConfig cfg) {
        this.cfg = cfg;
    }

    /** Runs every stage; returns the output folder's URI. */
    public String run() {
        String output = RunOutput.resolve(cfg.output());
        ImageSource data = ImageSource.open(cfg.data(), cfg.model().classes(), new Configuration());
        LOG.info("data: {} training and {} test images of shape {}x{}x{} from {}", data.trainCount(),
                data.testCount(), data.inputShape()[0], data.inputShape()[1], data.inputShape()[2], cfg.data().path());
        try (JavaSparkContext sc = SparkContexts.create(cfg.spark())) {
            Configuration hadoop = sc.hadoopConfiguration();
            ArtifactStore store = ArtifactStore.open(output, hadoop);
            LOG.info("output: {}", store.uri());
            RunReport report = new RunReport(cfg.rendered());
            InMemoryIterator test = new InMemoryIterator(data.loadTest(), cfg.evalBatchSize(), Augmentation.NONE,
                    false, 0);

            // 1. Sparsity training, distributed.
            ComputationGraph initial = Networks.forSparsityTraining(cfg, data.inputShape());
            LOG.info("model {}-{}: {} parameters; sparsity lambda {}", cfg.model().arch(), cfg.model().depth(),
                    initial.numParams(), cfg.sparsityLambda());
            long t0 = System.nanoTime();
            SparkTrainer.Result trained = SparkTrainer.train(sc, initial, data, cfg.train());
            ComputationGraph sparse = SparsityPenalty.strip(trained.graph());
            double sparseAcc = Accuracy.of(sparse, test);
            report.stage("sparse", sparseAcc, seconds(t0))
                    .put("train_images_per_s", trained.imagesPerSecond())
                    .put("images", trained.images());
            store.writeModel(SPARSE, sparse);
            store.writeText(GAMMAS, GammaTable.csv(sparse));
            LOG.info("sparse model: test accuracy {}", fmt(sparseAcc));

            // 2. Prune, on the driver.
            t0 = System.nanoTime();
            DependencyGraph deps = DependencyGraph.of(sparse.getConfiguration());
            PrunePlan plan = new GlobalThreshold(cfg.prune().ratio(), cfg.prune().minChannels())
                    .plan(sparse, deps, new BnScaleImportance());
            plan.notes().forEach(n -> LOG.warn("prune: {}", n));
            ComputationGraph pruned = NetworkSurgeon.prune(sparse, deps, plan);
            double pruneSeconds = seconds(t0);
            double prunedAcc = Accuracy.of(pruned, test);
            report.stage("pruned", prunedAcc, pruneSeconds);
            int prunable = deps.groups().values().stream().mapToInt(g -> g.channels()).sum();
            report.prune(plan.ratio(), plan.threshold(), plan.removedChannels(deps), prunable, plan.notes());
            ModelStats before = ModelStats.of(sparse, data.inputShape());
            ModelStats after = ModelStats.of(pruned, data.inputShape());
            report.models(before, after);
            store.writeModel(PRUNED, pruned);
            LOG.info("pruned {} of {} prunable channels (threshold {}): params {} -> {}, FLOPs {} -> {}, "
                    + "test accuracy before fine-tuning {}", plan.removedChannels(deps), prunable,
                    fmt(plan.threshold()), before.params(), after.params(), before.flops(), after.flops(),
                    fmt(prunedAcc));

            // 3. Fine-tune, on the driver.
            t0 = System.nanoTime();
            InMemoryIterator train = new InMemoryIterator(data.loadTrain(), cfg.finetune().batchSize(),
                    data.augmentation(), true, cfg.train().seed());
            double rate = LocalTrainer.fit("fine-tune", pruned, train, cfg.finetune().epochs(), cfg.finetune().lr());
            double tunedAcc = Accuracy.of(pruned, test);
            report.stage("finetuned", tunedAcc, seconds(t0)).put("train_images_per_s", rate);
            store.writeModel(FINETUNED, pruned);
            LOG.info("fine-tuned model: test accuracy {}", fmt(tunedAcc));

            store.writeText(REPORT, report.toJson());
            store.removeTemporaries();
            LOG.info("done: artifacts in {}", store.uri());
            return store.uri();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
