package io.netslim.pipeline;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.artifacts.Stage;
import io.netslim.metrics.ModelStats;
import io.netslim.prune.GammaStats;
import io.netslim.prune.PruneBudget;
import io.netslim.prune.Pruner;
import io.netslim.report.GammaTable;
import io.netslim.report.ReportRenderer;
import io.netslim.report.RunReport;
import io.netslim.train.SparkTrainer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.List;
import java.util.Map;

/**
 * What one stage of a pass produced, typed per stage, for the {@link StageRecorder} to write, commit and log: the
 * network, the files beside it, its part of report.json (in the order report.json has always had) and its one
 * summary line.
 */
sealed interface StageResult {
    /** The stage that produced it. */
    Stage stage();

    /** The network, written as {@link Stage#file}. */
    ComputationGraph model();

    /** Adds this stage's fields to the pass's section of report.json. */
    void addTo(RunReport.Section report);

    /** Text files to write beside the model: name (relative to the pass folder) to content. */
    default Map<String, String> texts() {
        return Map.of();
    }

    /** Files the stage already wrote beside the model (relative to the pass folder), committed with it. */
    default List<String> written() {
        return List.of();
    }

    /** The line logged once the stage is committed (without the pass label). */
    String summary();

    /** Sparsity training: the sparse network (stock layers), its test accuracy and how it trained. */
    record Sparse(ComputationGraph model, double accuracy, double seconds, SparkTrainer.Result trained,
                  String averaging, ObjectNode kernels, ObjectNode workerScaling) implements StageResult {
        @Override
        public Stage stage() {
            return Stage.SPARSE;
        }

        @Override
        public void addTo(RunReport.Section report) {
            report.stage(Stage.SPARSE.result, accuracy, seconds)
                    .put("train_images_per_s", trained.imagesPerSecond())
                    .put("images", trained.images())
                    .put("parameter_averaging", averaging)
                    .put("training_approach", trained.approach())
                    .<ObjectNode>set("kernels", kernels)
                    .<ObjectNode>set("worker_scaling", workerScaling.deepCopy()
                            .set("warnings", new ObjectMapper().valueToTree(trained.warnings())))
                    .set("averaging", trained.averaging().json());
        }

        @Override
        public Map<String, String> texts() {
            return Map.of(ReportRenderer.GAMMAS, GammaTable.csv(model));
        }

        @Override
        public String summary() {
            return "sparse model: test accuracy " + fmt(accuracy);
        }
    }

    /**
     * Pruning: the pruned network, its test accuracy before fine-tuning, the cut and the gammas it was cut by,
     * both networks' size and latency at {@code batch} (DL4J, and ONNX Runtime's figures or null).
     */
    record Pruned(Pruner.Result cut, GammaStats gammas, double accuracy, double seconds,
                  ObjectNode channelMultiple, ModelStats before, ModelStats after, int batch, double msBefore,
                  double msAfter, ObjectNode onnx) implements StageResult {
        @Override
        public Stage stage() {
            return Stage.PRUNE;
        }

        @Override
        public ComputationGraph model() {
            return cut.pruned();
        }

        @Override
        public void addTo(RunReport.Section report) {
            report.stage(Stage.PRUNE.result, accuracy, seconds);
            report.prune(cut.plan().ratio(), cut.plan().threshold(), cut.removedChannels(), cut.prunableChannels(),
                    cut.plan().notes());
            report.channelMultiple(channelMultiple);
            PruneBudget.Result budget = cut.budget();
            if (budget != null) {
                report.target(budget.key(), budget.target(), budget.achieved());
            }
            report.gammas(gammas.count(), gammas.q10(), gammas.q40(), gammas.q50(), gammas.q90(), gammas.under001(),
                    gammas.under005());
            report.models(before, after);
            report.latency(batch, msBefore, msAfter);
            if (onnx != null) {
                report.onnx(onnx);
            }
        }

        @Override
        public String summary() {
            String served = onnx == null ? "" : String.format(" (ONNX Runtime %.1f -> %.1f ms; ONNX file %d -> %d bytes)",
                    onnx.at("/latency/before").asDouble(), onnx.at("/latency/after").asDouble(),
                    onnx.at("/bytes/before").asLong(), onnx.at("/bytes/after").asLong());
            return String.format("pruned %d of %d prunable channels (threshold %s): params %d -> %d, FLOPs %d -> %d, "
                            + "latency %.1f -> %.1f ms per batch of %d%s, test accuracy before fine-tuning %s",
                    cut.removedChannels(), cut.prunableChannels(), fmt(cut.plan().threshold()), before.params(),
                    after.params(), before.flops(), after.flops(), msBefore, msAfter, batch, served, fmt(accuracy));
        }
    }

    /** Fine-tuning: the fine-tuned network, its test accuracy, images/s, and its ONNX export's check (or null). */
    record FineTuned(ComputationGraph model, double accuracy, double seconds, double imagesPerSecond,
                     ObjectNode kernels, ObjectNode onnx) implements StageResult {
        @Override
        public Stage stage() {
            return Stage.FINETUNE;
        }

        @Override
        public void addTo(RunReport.Section report) {
            ObjectNode stage = report.stage(Stage.FINETUNE.result, accuracy, seconds)
                    .put("train_images_per_s", imagesPerSecond);
            stage.set("kernels", kernels);
            if (onnx != null) {
                stage.set("onnx", onnx);
            }
        }

        @Override
        public List<String> written() {
            return onnx == null ? List.of() : List.of(OnnxOutputs.FINETUNED);
        }

        @Override
        public String summary() {
            return "fine-tuned model: test accuracy " + fmt(accuracy);
        }
    }

    private static String fmt(double v) {
        return String.format("%.4f", v);
    }
}
