package io.netslim.pipeline;

import io.netslim.train.LazySpark;
import io.netslim.runtime.HadoopConf;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.artifacts.ArtifactStore;
import io.netslim.report.MetricsLog;
import io.netslim.report.ReportRenderer;
import io.netslim.train.RunCheckpoints;
import io.netslim.artifacts.RunLedger;
import io.netslim.report.RunReport;
import io.netslim.artifacts.Stage;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageBatches;
import io.netslim.data.ImageSource;
import io.netslim.metrics.Accuracy;
import io.netslim.metrics.Latency;
import io.netslim.metrics.ModelStats;
import io.netslim.prune.GammaStats;
import io.netslim.prune.PruneBudget;
import io.netslim.prune.Pruner;
import io.netslim.train.CheckpointStore;
import io.netslim.metrics.EpochMetrics;
import io.netslim.train.ExecutorBackends;
import io.netslim.train.LocalFit;
import io.netslim.train.LocalTrainer;
import io.netslim.train.SparkTrainer;
import io.netslim.train.TrainingKernels;
import io.netslim.train.TrainingNetworks;
import io.netslim.train.TrainingPosition;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Network Slimming job: for each pass, sparsity training on Spark, pruning into a smaller network
 * and single-node fine-tuning, each evaluated on the test set. Every stage commits its files and its part
 * of the report to the output folder; a rerun with the same output skips finished stages and resumes
 * training from its newest checkpoint.
 */
public final class SlimmingPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SlimmingPipeline.class);

    /** File names of the artifacts, relative to the output folder (the last pass's, when several ran). */
    public static final String SPARSE = Stage.SPARSE.file;
    public static final String PRUNED = Stage.PRUNE.file;
    public static final String FINETUNED = Stage.FINETUNE.file;
    public static final String GAMMAS = ReportRenderer.GAMMAS;
    public static final String REPORT = ReportRenderer.REPORT;

    private final JobConfig cfg;
    /** prune.channel-multiple as this run applies it (auto resolved on this driver). */
    private final ChannelMultiple channelMultiple;
    private final boolean overwrite;
    private final Stage until;
    private ArtifactStore store;
    private RunLedger ledger;
    private ImageSource data;
    private ImageBatches test;
    private ImageBatches monitor;
    private ImageBatches trainMonitor;
    private MetricsLog metrics;
    private StageRecorder recorder;
    private final Map<String, String> lineage = new LinkedHashMap<>();
    /** The model.init network the first pass starts from (stock layers), or null when built from model.arch. */
    private ComputationGraph loaded;
    /** The configuration the first pass starts from. */
    private org.deeplearning4j.nn.conf.ComputationGraphConfiguration startConf;

    /** A pipeline that stops after stage {@code until} of the last pass (null: runs to the end). */
    public SlimmingPipeline(JobConfig cfg, boolean overwrite, Stage until) {
        this.channelMultiple = ChannelMultiple.of(cfg.prune());
        this.cfg = channelMultiple.applyTo(cfg);
        this.overwrite = overwrite;
        this.until = until;
    }

    /** Runs (or resumes) every stage of every pass, or up to {@code until}; returns the output folder's URI. */
    public String run() {
        String output = RunOutput.resolve(cfg.output());
        Configuration hadoop = HadoopConf.of(cfg.spark());
        Preflight.check(cfg, output, hadoop);
        data = ImageSource.open(cfg.data(), cfg.model().classes(), hadoop);
        long[] shape = data.inputShape();
        long[] configured = cfg.model().inputShape();
        if (configured != null && !Arrays.equals(configured, shape)) {
            throw new ConfigException("model.input-shape = " + shapeText(configured) + " does not match the dataset's "
                    + shapeText(shape) + " (leave it empty to use the dataset's)");
        }
        loaded = StartModel.isLoaded(cfg) ? StartModel.load(cfg, shape, hadoop) : null;
        startConf = loaded != null ? loaded.getConfiguration() : Networks.plain(cfg, shape);
        Preflight.checkPrunable(startConf, cfg, shape);
        if (cfg.exportOnnx()) {
            OnnxOutputs.checkExportable(loaded != null ? loaded : Networks.initialised(cfg, shape), shape);
        }
        store = ArtifactStore.open(output, hadoop);
        ledger = new RunLedger(store);
        recorder = new StageRecorder(store, ledger);
        RunLedger.Start start = ledger.begin(cfg.rendered(), overwrite);
        if (start == RunLedger.Start.FINISHED) {
            LOG.info("run in {} already finished; nothing to do (--overwrite runs it again)", store.uri());
            return store.uri();
        }
        LOG.info("{} run in {}", start == RunLedger.Start.NEW ? "starting" : "resuming", store.uri());
        LOG.info("data: {} training{} and {} test images of shape {}: {}", data.trainCount(),
                data.validationCount() > 0 ? ", " + data.validationCount() + " validation" : "", data.testCount(),
                shapeText(shape), data.describe());
        metrics = new MetricsLog(store);
        RunReport report = new RunReport(cfg.rendered());
        try (LazySpark spark = new LazySpark(cfg.spark())) {
            data.normalizeWith(Normalizations.forRun(cfg, data, ledger, store, spark::get));
            test = data.testBatches(cfg.evalBatchSize());
            monitor = cfg.monitorImages() == 0 ? null
                    : data.heldInMemory(data.testSample(cfg.monitorImages(), cfg.train().seed()), cfg.evalBatchSize());
            trainMonitor = cfg.monitorImages() == 0 ? null
                    : data.heldInMemory(data.trainSample(cfg.monitorImages(), cfg.train().seed()), cfg.evalBatchSize());
            RunReport.Section first = null;
            RunReport.Section section = null;
            ComputationGraph tuned = null;
            for (int pass = 1; pass <= cfg.passes(); pass++) {
                section = report.pass(pass);
                first = first == null ? section : first;
                tuned = new Pass(pass, section, spark).run(tuned);
            }
            if (tuned == null) {
                LOG.info("stopped after stage {} (--until); run again with the same output to continue", until);
                return store.uri();
            }
            report.summarise(first, section);
            report.data(data.describe(), data.trainCount(), data.validationCount(), data.testCount(), data.badRecords().skippedRecords(),
                    data.badRecords().problems(), data.normalization().isNone() ? null : Normalizations.json(data.normalization()));
            if (data.badRecords().skippedRecords() > 0) {
                LOG.warn("data: {} bad records skipped (data.on-bad-record = skip); listed in {}",
                        data.badRecords().skippedRecords(), REPORT);
            }
            report.layers(ModelStats.of(startConf, shape), ModelStats.of(tuned, shape));
        }
        store.writeText(REPORT, report.toJson());
        List<String> reportFiles = new java.util.ArrayList<>(List.of(REPORT));
        if (store.exists(MetricsLog.FILE)) {
            reportFiles.add(MetricsLog.FILE);
        }
        reportFiles.addAll(ReportRenderer.render(store));
        ledger.commit("report", reportFiles, report.snapshotRoot());
        ledger.finish(io.netslim.runtime.BuildInfo.VERSION, lineage);
        store.removeTemporaries();
        LOG.info("done: artifacts in {}", store.uri());
        return store.uri();
    }

    /** One slimming pass: sparsity training, pruning, fine-tuning, each skipped when already committed. */
    private final class Pass {
        private final int pass;
        private final RunReport.Section report;
        private final LazySpark spark;
        private final String scope;
        private final String prefix;
        private final String label;

        Pass(int pass, RunReport.Section report, LazySpark spark) {
            this.pass = pass;
            this.report = report;
            this.spark = spark;
            this.scope = Stage.scope(pass);
            this.prefix = Stage.folder(pass, cfg.passes());
            this.label = cfg.passes() == 1 ? "" : "pass " + pass + "/" + cfg.passes() + ": ";
        }

        /** Runs the pass from the previous pass's fine-tuned network (null for the first pass). */
        ComputationGraph run(ComputationGraph previous) {
            String from = pass == 1 ? StartModel.describe(cfg) : Stage.FINETUNE.file(pass - 1, cfg.passes());
            lineage.put(prefix + SPARSE, from);
            lineage.put(prefix + PRUNED, prefix + SPARSE);
            lineage.put(prefix + FINETUNED, prefix + PRUNED);
            if (cfg.exportOnnx()) {
                lineage.put(prefix + OnnxOutputs.FINETUNED, prefix + FINETUNED);
            }
            ComputationGraph sparse = done(Stage.SPARSE) ? load(Stage.SPARSE.file) : record(sparsityTraining(previous));
            if (stopsAfter(Stage.SPARSE)) {
                return null;
            }
            ComputationGraph pruned = done(Stage.PRUNE) ? load(Stage.PRUNE.file) : record(prune(sparse));
            if (stopsAfter(Stage.PRUNE)) {
                return null;
            }
            return done(Stage.FINETUNE) ? load(Stage.FINETUNE.file) : record(fineTune(pruned));
        }

        private boolean stopsAfter(Stage stage) {
            return until == stage && pass == cfg.passes();
        }

        private void onEpoch(EpochMetrics m, ComputationGraph net) {
            double testAcc = monitor == null ? Double.NaN : Accuracy.of(net, monitor);
            double trainAcc = trainMonitor == null ? Double.NaN : Accuracy.of(net, trainMonitor);
            metrics.append(pass, m, trainAcc, testAcc);
        }

        private boolean done(Stage stage) {
            if (!ledger.isDone(stage.key(pass))) {
                return false;
            }
            ledger.check(stage.key(pass), stage.file(pass, cfg.passes()));
            report.restore(ledger.record(stage.key(pass)));
            LOG.info("{}stage {} already done ({}); not redone", label, stage, store.uri(prefix + stage.file));
            return true;
        }

        private ComputationGraph load(String file) {
            return store.readModel(prefix + file, false);
        }

        private ComputationGraph record(StageResult result) {
            return recorder.record(result, pass, cfg.passes(), report, label);
        }

        private StageResult.Sparse sparsityTraining(ComputationGraph previous) {
            long t0 = System.nanoTime();
            TrainingKernels.Choice kernels = ExecutorBackends.choose(cfg.train().kernels(), spark.get());
            LOG.info("{}sparsity training kernels: {}", label, kernels);
            TrainingKernels k = kernels.kernels();
            ComputationGraph first = previous != null ? withPenalty(previous, k) : loaded != null
                    ? withPenalty(loaded, k) : Networks.forTraining(cfg, data.inputShape(), cfg.sparsityLambda(), k);
            LOG.info("{}model {}: {} parameters; sparsity lambda {}", label, previous != null ? "of the previous pass"
                    : StartModel.isLoaded(cfg) ? "from " + cfg.model().init()
                    : cfg.model().arch() + "-" + cfg.model().depth(), first.numParams(), cfg.sparsityLambda());
            SparkTrainer.Result trained = SparkTrainer.train(spark.get(), first, data, cfg.train(),
                    retargeted(new RunCheckpoints(store, scope), k), this::onEpoch);
            ComputationGraph sparse = TrainingNetworks.stock(trained.graph());
            return new StageResult.Sparse(sparse, Accuracy.of(sparse, test), seconds(t0), trained,
                    cfg.train().averaging(), json(kernels), trained.scaling().describe(cfg.train(), cfg.sparsityLambda()));
        }

        private StageResult.Pruned prune(ComputationGraph sparse) {
            long t0 = System.nanoTime();
            Pruner pruner = Pruner.of(cfg.prune());
            Pruner.Result cut = Budgets.of(cfg.prune(), data.inputShape()).map(pruner::toBudget).orElse(pruner)
                    .prune(sparse, cfg.prune().ratio(), label + "sparse model");
            cut.plan().notes().forEach(n -> LOG.warn("{}prune: {}", label, n));
            GammaStats gammas = GammaStats.of(sparse, cut.deps());
            LOG.info("{}{}", label, gammas.line());
            ComputationGraph pruned = cut.pruned();
            double pruneSeconds = seconds(t0);
            double acc = Accuracy.of(pruned, test);
            PruneBudget.Result budget = cut.budget();
            if (budget != null) {
                LOG.info("{}prune: {} = {}: kept {} of the network ({} of {})", label, budget.key(), budget.target(),
                        fmt(budget.achieved()), budget.after(), budget.before());
            }
            ModelStats before = ModelStats.of(sparse, data.inputShape());
            ModelStats after = ModelStats.of(pruned, data.inputShape());
            int batch = 64;
            double[] ms = Latency.alternating(List.of(sparse, pruned), data.inputShape(), batch, 2, 5);
            ObjectNode onnx = cfg.exportOnnx()
                    ? OnnxOutputs.measure(sparse, pruned, data.inputShape(), data.normalization(), batch) : null;
            return new StageResult.Pruned(cut, gammas, acc, pruneSeconds, channelMultiple.json(), before, after, batch,
                    ms[0], ms[1], onnx);
        }

        private StageResult.FineTuned fineTune(ComputationGraph pruned) {
            long t0 = System.nanoTime();
            ImageBatches train = data.trainBatches(cfg.finetune().batchSize(), cfg.train().seed() + pass);
            TrainingKernels.Choice kernels = TrainingKernels.here(cfg.train().kernels());
            LOG.info("{}fine-tuning kernels: {}", label, kernels);
            double rate = LocalTrainer.fit(pruned, train, new LocalFit(label + "fine-tune", cfg.finetune().epochs(),
                    cfg.finetune().lr(), cfg.train(), kernels.kernels(),
                    (m, net) -> onEpoch(m.as(Stage.FINETUNE.step), net)));
            double acc = Accuracy.of(pruned, test);
            double seconds = seconds(t0);
            ObjectNode onnx = cfg.exportOnnx()
                    ? OnnxOutputs.write(store, prefix + OnnxOutputs.FINETUNED, pruned, data) : null;
            return new StageResult.FineTuned(pruned, acc, seconds, rate, json(kernels), onnx);
        }
    }

    /** The same network and weights, with the L1 penalty back on for sparsity training with {@code kernels}. */
    private ComputationGraph withPenalty(ComputationGraph graph, TrainingKernels kernels) {
        return TrainingNetworks.forSparsityTraining(graph, cfg.train(), cfg.sparsityLambda(), kernels);
    }

    /**
     * {@code checkpoints}, whose restored networks train with {@code kernels} whatever kernels saved them (a run
     * resumed where {@code train.kernels = auto} resolves otherwise), optimiser state and iteration count kept.
     */
    private CheckpointStore retargeted(CheckpointStore checkpoints, TrainingKernels kernels) {
        return new CheckpointStore() {
            @Override
            public void save(ComputationGraph net, TrainingPosition next) {
                checkpoints.save(net, next);
            }

            @Override
            public Optional<Checkpoint> latest() {
                return checkpoints.latest().map(c -> {
                    ComputationGraph net = withPenalty(c.net(), kernels);
                    net.getUpdater().getStateViewArray().assign(c.net().getUpdater().getStateViewArray());
                    // the learning-rate warm-up is by iteration
                    net.getConfiguration().setIterationCount(c.net().getConfiguration().getIterationCount());
                    net.getConfiguration().setEpochCount(c.net().getConfiguration().getEpochCount());
                    return new Checkpoint(net, c.next(), c.name());
                });
            }
        };
    }

    private static ObjectNode json(TrainingKernels.Choice kernels) {
        ObjectNode o = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        return o.put("train.kernels", kernels.configured()).put("resolved", kernels.kernels().id())
                .put("why", kernels.reason());
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
