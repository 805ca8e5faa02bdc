package io.netslim.search;

import io.netslim.pipeline.ChannelMultiple;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.artifacts.ArtifactStore;
import io.netslim.report.GammaTable;
import io.netslim.report.ReportRenderer;
import io.netslim.artifacts.RunLedger;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageBatches;
import io.netslim.data.ImageSource;
import io.netslim.metrics.Accuracy;
import io.netslim.metrics.ModelStats;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.Pruner;
import io.netslim.train.LocalFit;
import io.netslim.train.LocalTrainer;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy against prune ratio (the paper's Figure 7): prunes a finished run's sparse model (and optionally
 * a baseline model trained with lambda = 0) at each ratio, evaluates each before and optionally after a
 * short fine-tune, and adds sweep.json and plots/ratio-sweep.png to the run.
 */
public final class RatioSweep {
    private static final Logger LOG = LoggerFactory.getLogger(RatioSweep.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private RatioSweep() {
    }

    /** Sweeps the finished run at {@code output}, read and written with {@code hadoop}; returns a summary line. */
    public static String run(String output, List<Double> ratios, int finetuneEpochs, String baselineUri,
                             Configuration hadoop) throws Exception {
        FinishedRun run = FinishedRun.open("sweep", output, hadoop, List.of());
        ArtifactStore store = run.store();
        RunLedger ledger = run.ledger();
        JobConfig cfg = ChannelMultiple.resolved(run.config());
        ImageSource data = ImageSource.open(cfg.data(), cfg.model().classes(), hadoop);
        data.normalizeWith(run.normalization());
        ImageBatches test = data.testBatches(cfg.evalBatchSize());

        Map<String, ComputationGraph> models = new LinkedHashMap<>();
        models.put("sparse (lambda " + cfg.sparsityLambda() + ")", run.sparseModel());
        if (baselineUri != null) {
            ComputationGraph baseline = ArtifactStore.readModel(baselineUri, hadoop);
            models.put("baseline (" + baselineUri + ")", baseline);
            store.writeText(ReportRenderer.BASELINE_GAMMAS, GammaTable.csv(baseline));
        }
        ObjectNode sweep = JSON.createObjectNode();
        sweep.put("finetune_epochs", finetuneEpochs);
        ObjectNode series = sweep.putObject("series");
        for (Map.Entry<String, ComputationGraph> m : models.entrySet()) {
            ArrayNode points = series.putArray(m.getKey());
            ArrayNode tuned = finetuneEpochs > 0 ? series.putArray(m.getKey() + ", fine-tuned") : null;
            Pruner pruner = Pruner.of(cfg.prune());
            DependencyGraph deps = pruner.dependencies(m.getValue());
            ModelStats full = ModelStats.of(m.getValue(), data.inputShape());
            for (double ratio : ratios) {
                ComputationGraph pruned = pruner.prune(m.getValue(), deps, ratio, m.getKey()).pruned();
                ModelStats stats = ModelStats.of(pruned, data.inputShape());
                double acc = Accuracy.of(pruned, test);
                point(points, ratio, acc, stats, full);
                LOG.info("sweep {} at ratio {}: test accuracy {} ({} params)", m.getKey(), ratio,
                        String.format("%.4f", acc), stats.params());
                if (tuned != null) {
                    LocalTrainer.fit(pruned, data.trainBatches(cfg.finetune().batchSize(), cfg.train().seed()),
                            LocalFit.here("sweep fine-tune", finetuneEpochs, cfg.finetune().lr(), cfg.train()));
                    point(tuned, ratio, Accuracy.of(pruned, test), stats, full);
                }
            }
        }
        store.writeText(ReportRenderer.SWEEP, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sweep));
        List<String> files = new ArrayList<>(List.of(ReportRenderer.SWEEP));
        if (baselineUri != null) {
            files.add(ReportRenderer.BASELINE_GAMMAS);
        }
        ledger.commit("sweep", files, sweep);
        run.redrawAndFinish(ledger.lineage());
        return store.uri(ReportRenderer.SWEEP);
    }

    private static void point(ArrayNode points, double ratio, double acc, ModelStats stats, ModelStats full) {
        points.addObject().put("ratio", ratio).put("test_accuracy", acc).put("params", stats.params())
                .put("flops", stats.flops()).put("params_cut", 1.0 - (double) stats.params() / full.params())
                .put("flops_cut", 1.0 - (double) stats.flops() / full.flops());
    }
}
