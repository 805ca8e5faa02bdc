package io.netslim.artifacts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.metrics.LayerStats;
import io.netslim.metrics.ModelStats;

import java.io.UncheckedIOException;
import java.util.List;

/** report.json: the resolved config, each stage's accuracy and time, and the model before and after pruning. */
public final class RunReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final ObjectNode root = JSON.createObjectNode();

    public RunReport(String configJson) {
        try {
            root.set("config", JSON.readTree(configJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config is not JSON: " + e.getMessage(), e);
        }
        root.putObject("stages");
    }

    /** Records one stage; {@code extra} holds stage-specific numbers (name, value pairs). */
    public ObjectNode stage(String name, double testAccuracy, double seconds) {
        ObjectNode stage = ((ObjectNode) root.get("stages")).putObject(name);
        stage.put("test_accuracy", testAccuracy);
        stage.put("seconds", seconds);
        return stage;
    }

    /** Records the model before and after pruning, layer by layer. */
    public void models(ModelStats before, ModelStats after) {
        root.putObject("params").put("before", before.params()).put("after", after.params())
                .put("cut", 1.0 - (double) after.params() / before.params());
        root.putObject("flops").put("before", before.flops()).put("after", after.flops())
                .put("cut", 1.0 - (double) after.flops() / before.flops());
        ArrayNode layers = root.putArray("layers");
        for (LayerStats b : before.layers()) {
            if (!"bn".equals(b.type())) {
                LayerStats a = after.layer(b.name());
                layers.addObject().put("name", b.name()).put("type", b.type())
                        .put("channels_before", b.channelsOut()).put("channels_after", a.channelsOut())
                        .put("inputs_before", b.channelsIn()).put("inputs_after", a.channelsIn());
            }
        }
    }

    /** Records the pruning decision. */
    public void prune(double ratio, double threshold, int channelsRemoved, int channelsPrunable, List<String> notes) {
        ObjectNode p = root.putObject("prune");
        p.put("ratio", ratio);
        p.put("threshold", threshold);
        p.put("channels_removed", channelsRemoved);
        p.put("channels_prunable", channelsPrunable);
        ArrayNode n = p.putArray("notes");
        notes.forEach(n::add);
    }

    /** Free-form top-level entry. */
    public ObjectNode section(String name) {
        return root.putObject(name);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
