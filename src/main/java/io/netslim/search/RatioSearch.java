package io.netslim.search;

import io.netslim.pipeline.ChannelMultiple;
import io.netslim.pipeline.SlimmingPipeline;
import io.netslim.runtime.HadoopConf;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.artifacts.ArtifactStore;
import io.netslim.report.ReportRenderer;
import io.netslim.artifacts.RunLedger;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.TaskSplits;
import io.netslim.metrics.Accuracy;
import io.netslim.metrics.ModelStats;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.GlobalThreshold;
import io.netslim.prune.Pruner;
import io.netslim.train.LocalFit;
import io.netslim.train.LocalTrainer;
import io.netslim.train.SparkContexts;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The most-pruned model that keeps accuracy, searched in parallel: K candidate prune ratios of a finished run's
 * sparse model, each pruned, fine-tuned for a few epochs on a training shard and scored on the validation split in
 * its own Spark task on the executors (or one after another on the driver); the most-pruned candidate within the
 * allowed drop of the sparse model's validation accuracy is fine-tuned fully on the driver and evaluated on the
 * test set. Every candidate's result is committed to the run ledger as it finishes, so a killed search resumes
 * without redoing them. Adds search.json, searched.zip and plots/search.png to the run.
 */
public final class RatioSearch {
    private static final Logger LOG = LoggerFactory.getLogger(RatioSearch.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String SEARCHED = "searched.zip";

    /**
     * What to search: at most {@code maxDrop} below the sparse model's validation accuracy; {@code ratios} (or, when
     * empty, {@code candidates} ratios evenly spaced up to the most the prune rules allow); {@code epochs} of
     * fine-tuning per candidate on a shard of {@code shardImages} training images (0: the training split over the
     * number of candidates); on the driver one after another, or as Spark tasks; {@code sparkSets}: spark.* keys
     * that differ from the run's config (another master).
     */
    public record Options(double maxDrop, int candidates, List<Double> ratios, int epochs, int shardImages,
                          boolean onDriver, List<String> sparkSets) {
        public Options {
            ratios = ratios == null ? List.of() : List.copyOf(ratios);
            sparkSets = sparkSets == null ? List.of() : List.copyOf(sparkSets);
            List<String> problems = new ArrayList<>();
            if (!(maxDrop >= 0 && maxDrop < 1)) {
                problems.add("--max-accuracy-drop " + maxDrop + ": expected an accuracy difference in [0, 1), "
                        + "e.g. 0.01 for one point");
            }
            if (ratios.isEmpty() && candidates < 1) {
                problems.add("--candidates " + candidates + ": expected an integer >= 1");
            }
            ratios.stream().filter(r -> !(r > 0 && r < 1)).forEach(r -> problems.add("--ratios " + r
                    + ": expected ratios in (0, 1)"));
            if (epochs < 0) {
                problems.add("--finetune-epochs " + epochs + ": expected an integer >= 0");
            }
            if (shardImages < 0) {
                problems.add("--shard-images " + shardImages + ": expected an integer >= 0 (0: training images / K)");
            }
            sparkSets.stream().filter(s -> !s.trim().startsWith("spark.")).forEach(s -> problems.add("--set " + s
                    + ": a search keeps the run's config; only spark.* keys may change"));
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
        }
    }

    private RatioSearch() {
    }

    /** Runs (or resumes) the search on the finished run in {@code output}; returns search.json's content. */
    public static ObjectNode run(String output, Options o) {
        long t0 = System.nanoTime();
        FinishedRun run = FinishedRun.open("search", output, new Configuration(), o.sparkSets());
        JobConfig cfg = ChannelMultiple.resolved(run.config());
        if (cfg.data().validation() <= 0) {
            throw new ConfigException("search: the run in " + run.store().uri() + " has no validation split "
                    + "(data.validation = 0), and a search judges candidates on records the sparse model never trained "
                    + "on: run the pipeline with --set data.validation=0.1 (any fraction in (0, 1))");
        }
        Configuration hadoop = HadoopConf.of(cfg.spark());
        run = run.with(hadoop);
        ArtifactStore store = run.store();
        RunLedger ledger = run.ledger();
        ImageSource data = ImageSource.open(cfg.data(), cfg.model().classes(), hadoop);
        data.normalizeWith(run.normalization());
        long[] shape = data.inputShape();
        byte[] zip = run.sparseZip();
        ComputationGraph sparse = run.sparseModel();
        DependencyGraph deps = Pruner.of(cfg.prune()).dependencies(sparse);
        ModelStats full = ModelStats.of(sparse, shape);

        double sparseAccuracy = sparseValidationAccuracy(ledger, sparse, data, cfg);
        List<Double> ratios = o.ratios().isEmpty() ? evenlySpaced(sparse, deps, cfg, o.candidates()) : o.ratios();
        int shard = o.shardImages() > 0 ? Math.min(o.shardImages(), data.trainCount())
                : Math.max(Math.min(cfg.finetune().batchSize(), data.trainCount()), data.trainCount() / ratios.size());
        LOG.info("search: {} candidate ratios {} of {}, each fine-tuned {} epoch(s) on {} of {} training images and "
                        + "scored on {} validation images (sparse model: {}), {}", ratios.size(), ratios, store.uri(),
                o.epochs(), shard, data.trainCount(), data.validationCount(), fmt(sparseAccuracy),
                o.onDriver() ? "one after another on the driver" : "in parallel as Spark tasks");

        Map<Double, ObjectNode> results = new LinkedHashMap<>();
        List<Double> pending = new ArrayList<>();
        for (double r : ratios) {
            String stage = candidateStage(r, o.epochs(), shard);
            if (ledger.isDone(stage)) {
                results.put(r, ledger.record(stage));
                LOG.info("search: candidate {} already evaluated (validation accuracy {}); not redone", r,
                        fmt(results.get(r).get("validation_accuracy").asDouble()));
            } else {
                pending.add(r);
            }
        }
        long tc = System.nanoTime();
        int executors = pending.isEmpty() ? 0 : o.onDriver()
                ? evaluateOnDriver(pending, zip, data, cfg, shape, o, shard, ledger, results, ratios.size())
                : evaluateOnSpark(pending, zip, data, cfg, shape, o, shard, ledger, results, ratios.size());
        double candidateSeconds = (System.nanoTime() - tc) / 1e9;

        ArrayNode candidates = JSON.createArrayNode();
        for (double r : ratios) {
            ObjectNode c = results.get(r).deepCopy();
            c.put("flops_kept", (double) c.get("flops").asLong() / full.flops());
            c.put("params_kept", (double) c.get("params").asLong() / full.params());
            c.put("within_budget", c.get("validation_accuracy").asDouble() >= sparseAccuracy - o.maxDrop() - 1e-12);
            candidates.add(c);
        }
        Optional<JsonNode> chosen = choose(candidates);
        ObjectNode search = JSON.createObjectNode();
        search.put("max_accuracy_drop", o.maxDrop());
        search.put("finetune_epochs", o.epochs());
        search.put("shard_images", shard);
        search.put("validation_images", data.validationCount());
        search.put("mode", o.onDriver() ? "driver" : "spark");
        search.put("spark_master", o.onDriver() ? null : cfg.spark().master());
        search.put("executors", executors);
        search.put("candidates_evaluated", pending.size());
        search.putObject("sparse").put("validation_accuracy", sparseAccuracy).put("params", full.params())
                .put("flops", full.flops());
        search.set("candidates", candidates);
        List<String> files = new ArrayList<>(List.of(ReportRenderer.SEARCH));
        Map<String, String> lineage = ledger.lineage();
        if (chosen.isPresent()) {
            ObjectNode pick = (ObjectNode) chosen.get().deepCopy();
            pick.put("test_accuracy", finalModel(ledger, store, sparse, deps, pick.get("ratio").asDouble(), data, cfg));
            search.set("chosen", pick);
            lineage.put(SEARCHED, SlimmingPipeline.SPARSE);
            LOG.info("search: chose ratio {}: {} of the FLOPs and {} of the parameters kept, validation accuracy {} "
                            + "(sparse model {}, allowed drop {}), test accuracy after fine-tuning {}", pick.get("ratio"),
                    fmt(pick.get("flops_kept").asDouble()), fmt(pick.get("params_kept").asDouble()),
                    fmt(pick.get("validation_accuracy").asDouble()), fmt(sparseAccuracy), o.maxDrop(),
                    fmt(pick.get("test_accuracy").asDouble()));
        } else {
            search.putNull("chosen");
            LOG.warn("search: no candidate stays within {} of the sparse model's validation accuracy {}; the best kept "
                    + "{}: allow a larger drop, more fine-tuning epochs or lower ratios", o.maxDrop(), fmt(sparseAccuracy),
                    fmt(candidates.findValues("validation_accuracy").stream().mapToDouble(JsonNode::asDouble).max()
                            .orElse(Double.NaN)));
        }
        search.putObject("seconds").put("candidates", candidateSeconds).put("total", (System.nanoTime() - t0) / 1e9);
        store.writeText(ReportRenderer.SEARCH, search.toPrettyString());
        ledger.commit("search", files, search);
        run.redrawAndFinish(lineage);
        return search;
    }

    /** The sparse model's validation accuracy, the reference of the budget (computed once, kept in the ledger). */
    private static double sparseValidationAccuracy(RunLedger ledger, ComputationGraph sparse, ImageSource data,
                                                   JobConfig cfg) {
        String stage = "search/sparse-validation";
        if (ledger.isDone(stage)) {
            return ledger.record(stage).get("validation_accuracy").asDouble();
        }
        double acc = Accuracy.of(sparse, data.validationBatches(cfg.evalBatchSize()));
        ledger.commit(stage, List.of(), JSON.createObjectNode().put("validation_accuracy", acc)
                .put("validation_images", data.validationCount()));
        return acc;
    }

    /** {@code k} ratios evenly spaced over (0, r], r the largest ratio the prune rules let the model reach. */
    static List<Double> evenlySpaced(ComputationGraph sparse, DependencyGraph deps, JobConfig cfg, int k) {
        Map<String, double[]> scores = Pruner.of(cfg.prune()).scores(sparse, deps);
        int total = scores.values().stream().mapToInt(s -> s.length).sum();
        double most = (double) GlobalThreshold.of(cfg.prune(), 0).plan(scores, total).removedChannels(deps) / total;
        List<Double> ratios = new ArrayList<>();
        for (int i = 1; i <= k; i++) {
            double r = Math.floor(most * i / k * 1e4) / 1e4;
            if (r > 0 && !ratios.contains(r)) {
                ratios.add(r);
            }
        }
        return ratios;
    }

    /** The most-pruned candidate within the budget: fewest FLOPs, then fewest parameters, then the highest ratio. */
    static Optional<JsonNode> choose(ArrayNode candidates) {
        List<JsonNode> within = new ArrayList<>();
        candidates.forEach(c -> {
            if (c.get("within_budget").asBoolean()) {
                within.add(c);
            }
        });
        return within.stream().min(Comparator.<JsonNode>comparingLong(c -> c.get("flops").asLong())
                .thenComparingLong(c -> c.get("params").asLong())
                .thenComparing(c -> -c.get("ratio").asDouble()));
    }

    private static String candidateStage(double ratio, int epochs, int shard) {
        return String.format("search/candidate-e%d-s%d-r%.4f", epochs, shard, ratio);
    }

    private static void commit(RunLedger ledger, double ratio, int epochs, int shard, String json,
                               Map<Double, ObjectNode> results, int total) {
        ObjectNode result;
        try {
            result = (ObjectNode) JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (results) {
            ledger.commit(candidateStage(ratio, epochs, shard), List.of(), result);
            results.put(ratio, result);
            LOG.info("search: candidate {} ({} of {} done): validation accuracy {}, {} FLOPs, {} params, {} s on {}; "
                            + "saved", ratio, results.size(), total, fmt(result.get("validation_accuracy").asDouble()),
                    result.get("flops").asLong(), result.get("params").asLong(),
                    String.format("%.1f", result.get("seconds").asDouble()), result.get("host").asText());
        }
    }

    private static int evaluateOnDriver(List<Double> pending, byte[] zip, ImageSource data, JobConfig cfg,
                                        long[] shape, Options o, int shard, RunLedger ledger,
                                        Map<Double, ObjectNode> results, int total) {
        TaskSplits splits = data.taskSplits(null, shard, cfg.train().seed());
        CandidateTask task = new CandidateTask(null, zip, splits, cfg, shape, o.epochs());
        for (double r : pending) {
            commit(ledger, r, o.epochs(), shard, task.call(r), results, total);
        }
        return 0;
    }

    /** One Spark job of one task per candidate, all submitted at once; each result is committed when it arrives. */
    private static int evaluateOnSpark(List<Double> pending, byte[] zip, ImageSource data, JobConfig cfg,
                                       long[] shape, Options o, int shard, RunLedger ledger,
                                       Map<Double, ObjectNode> results, int total) {
        try (JavaSparkContext sc = SparkContexts.create(cfg.spark())) {
            Broadcast<byte[]> model = sc.broadcast(zip);
            CandidateTask task = new CandidateTask(model, null, data.taskSplits(sc, shard, cfg.train().seed()), cfg,
                    shape, o.epochs());
            sc.setJobGroup("netslim-search", "search candidates", true);
            Map<Double, JavaFutureAction<List<String>>> jobs = new LinkedHashMap<>();
            for (double r : pending) {
                jobs.put(r, sc.parallelize(List.of(r), 1).map(task).collectAsync());
            }
            List<Double> waiting = new ArrayList<>(pending);
            while (!waiting.isEmpty()) {
                boolean progressed = false;
                for (Double r : new ArrayList<>(waiting)) {
                    JavaFutureAction<List<String>> job = jobs.get(r);
                    if (job.isDone()) {
                        commit(ledger, r, o.epochs(), shard, job.get().get(0), results, total);
                        waiting.remove(r);
                        progressed = true;
                    }
                }
                if (!progressed) {
                    Thread.sleep(200);
                }
            }
            return sc.sc().getExecutorMemoryStatus().size() - (sc.master().startsWith("local") ? 0 : 1);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw cause instanceof RuntimeException re ? re : new IllegalStateException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("search interrupted", e);
        }
    }

    /**
     * The chosen candidate pruned again on the driver, fine-tuned with finetune.* on the whole training split and
     * evaluated on the test set; written as searched.zip (not redone when committed for this ratio).
     */
    private static double finalModel(RunLedger ledger, ArtifactStore store, ComputationGraph sparse,
                                     DependencyGraph deps, double ratio, ImageSource data, JobConfig cfg) {
        String stage = "search/final";
        if (ledger.isDone(stage) && ledger.record(stage).get("ratio").asDouble() == ratio
                && ledger.record(stage).get("finetune_epochs").asInt() == cfg.finetune().epochs()) {
            ledger.check(stage, SEARCHED);
            LOG.info("search: {} for ratio {} already fine-tuned; not redone", store.uri(SEARCHED), ratio);
            return ledger.record(stage).get("test_accuracy").asDouble();
        }
        long t0 = System.nanoTime();
        ComputationGraph pruned = Pruner.of(cfg.prune()).prune(sparse, deps, ratio, "the chosen candidate").pruned();
        LocalTrainer.fit(pruned, data.trainBatches(cfg.finetune().batchSize(), cfg.train().seed()),
                LocalFit.here("search fine-tune", cfg.finetune().epochs(), cfg.finetune().lr(), cfg.train()));
        double acc = Accuracy.of(pruned, data.testBatches(cfg.evalBatchSize()));
        store.writeModel(SEARCHED, pruned);
        ledger.commit(stage, List.of(SEARCHED), JSON.createObjectNode().put("ratio", ratio)
                .put("finetune_epochs", cfg.finetune().epochs()).put("test_accuracy", acc)
                .put("seconds", (System.nanoTime() - t0) / 1e9));
        return acc;
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
