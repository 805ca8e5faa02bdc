package io.netslim.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.metrics.LayerStats;
import io.netslim.metrics.ModelStats;

import java.io.UncheckedIOException;
import java.util.List;

/**
 * report.json: the resolved config, and for the run (and each slimming pass) each stage's accuracy and
 * time, the pruning decision, and the model before and after pruning layer by layer.
 */
public final class RunReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ObjectNode root = JSON.createObjectNode();

    public RunReport(String configJson) {
        try {
            root.set("config", JSON.readTree(configJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config is not JSON: " + e.getMessage(), e);
        }
        root.putArray("passes");
    }

    /** Starts the section of slimming pass {@code n} (1-based). */
    public Section pass(int n) {
        ObjectNode node = ((ArrayNode) root.get("passes")).addObject();
        node.put("pass", n);
        node.putObject("stages");
        return new Section(node);
    }

    /** The run as a whole: the last pass's stages and pruning, models compared from first to last. */
    public void summarise(Section first, Section last) {
        root.set("stages", last.node.get("stages").deepCopy());
        root.set("prune", last.node.get("prune").deepCopy());
        if (last.node.has("latency")) {
            root.set("latency", last.node.get("latency").deepCopy());
        }
        if (last.node.has("onnx_bytes")) {
            root.set("onnx_bytes", last.node.get("onnx_bytes").deepCopy());
        }
        ObjectNode params = root.putObject("params");
        params.set("before", first.node.at("/params/before"));
        params.set("after", last.node.at("/params/after"));
        params.put("cut", 1.0 - last.node.at("/params/after").asDouble() / first.node.at("/params/before").asDouble());
        ObjectNode flops = root.putObject("flops");
        flops.set("before", first.node.at("/flops/before"));
        flops.set("after", last.node.at("/flops/after"));
        flops.put("cut", 1.0 - last.node.at("/flops/after").asDouble() / first.node.at("/flops/before").asDouble());
    }

    /**
     * The input data: where it came from, the images of each split (validation: held out of training by
     * data.validation), and the records left out under data.on-bad-record = skip.
     */
    public void data(String source, long trainImages, long validationImages, long testImages, long skipped,
                     java.util.List<String> problems, String normalizationJson) {
        ObjectNode data = root.putObject("data");
        try {
            data.set("normalization", normalizationJson == null ? null : JSON.readTree(normalizationJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        data.put("source", source);
        data.put("train_images", trainImages);
        data.put("validation_images", validationImages);
        data.put("test_images", testImages);
        data.put("bad_records_skipped", skipped);
        ArrayNode list = data.putArray("bad_records");
        problems.stream().limit(io.netslim.data.BadRecords.KEEP).forEach(list::add);
    }

    /** Per-layer channels of the original against the final model. */
    public void layers(ModelStats original, ModelStats result) {
        root.set("layers", layerTable(original, result));
    }

    /** The whole report as a JSON tree (a copy). */
    public ObjectNode snapshotRoot() {
        return root.deepCopy();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode layerTable(ModelStats before, ModelStats after) {
        ArrayNode layers = JSON.createArrayNode();
        for (LayerStats b : before.layers()) {
            LayerStats a = after.layer(b.name());
            layers.addObject().put("name", b.name()).put("type", b.type())
                    .put("channels_before", b.channelsOut()).put("channels_after", a.channelsOut())
                    .put("inputs_before", b.channelsIn()).put("inputs_after", a.channelsIn());
        }
        return layers;
    }

    /** One slimming pass's part of the report. */
    public static final class Section {
        private final ObjectNode node;

        private Section(ObjectNode node) {
            this.node = node;
        }

        /** Everything recorded so far (stored with each committed stage). */
        public ObjectNode snapshot() {
            return node.deepCopy();
        }

        /** Restores what a committed stage recorded. */
        public void restore(ObjectNode snapshot) {
            node.removeAll();
            node.setAll(snapshot);
        }

        /** Records one stage; returns its node for stage-specific numbers. */
        public ObjectNode stage(String name, double testAccuracy, double seconds) {
            ObjectNode stage = ((ObjectNode) node.get("stages")).putObject(name);
            stage.put("test_accuracy", testAccuracy);
            stage.put("seconds", seconds);
            return stage;
        }

        /** Records the model before and after this pass's pruning. */
        public void models(ModelStats before, ModelStats after) {
            node.putObject("params").put("before", before.params()).put("after", after.params())
                    .put("cut", 1.0 - (double) after.params() / before.params());
            node.putObject("flops").put("before", before.flops()).put("after", after.flops())
                    .put("cut", 1.0 - (double) after.flops() / before.flops());
            node.set("layers", layerTable(before, after));
        }

        /** Records inference latency (median ms per batch) before and after this pass's pruning. */
        public void latency(int batch, double before, double after) {
            node.putObject("latency").put("batch", batch).put("before", before).put("after", after)
                    .put("cut", 1.0 - after / before);
        }

        /**
         * Records the ONNX side of this pass's pruning ({@code {bytes, latency}}, each before/after/cut): the file
         * sizes as {@code onnx_bytes}, ONNX Runtime's latency (same batch) as {@code latency.onnxruntime}.
         */
        public void onnx(ObjectNode measured) {
            node.set("onnx_bytes", measured.get("bytes").deepCopy());
            ((ObjectNode) node.get("latency")).set("onnxruntime", measured.get("latency").deepCopy());
        }

        /**
         * Records the budget the pruning met ({@code prune.target}: the key, the target fraction and the achieved
         * one); call after {@link #prune}.
         */
        public void target(String key, double target, double achieved) {
            ((ObjectNode) node.get("prune")).putObject("target").put("key", key).put("target", target)
                    .put("achieved", achieved);
        }

        /**
         * Records the channel multiple every pruned layer kept ({@code prune.channel_multiple}: value, configured,
         * reason); call after {@link #prune}.
         */
        public void channelMultiple(ObjectNode multiple) {
            ((ObjectNode) node.get("prune")).set("channel_multiple", multiple);
        }

        /** Records the pruning decision. */
        public void prune(double ratio, double threshold, int channelsRemoved, int channelsPrunable,
                          List<String> notes) {
            ObjectNode p = node.putObject("prune");
            p.put("ratio", ratio);
            p.put("threshold", threshold);
            p.put("channels_removed", channelsRemoved);
            p.put("channels_prunable", channelsPrunable);
            ArrayNode n = p.putArray("notes");
            notes.forEach(n::add);
        }

        /** How polarised the sparse model's prunable |gamma| were (after {@link #prune}): quantiles, fractions. */
        public void gammas(int count, double q10, double q40, double q50, double q90, double under001, double under005) {
            ObjectNode g = ((ObjectNode) node.get("prune")).putObject("gammas");
            g.put("count", count).put("q10", q10).put("q40", q40).put("q50", q50).put("q90", q90)
                    .put("under_0.01", under001).put("under_0.05", under005);
        }
    }
}
