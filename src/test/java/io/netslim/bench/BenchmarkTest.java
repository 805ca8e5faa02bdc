package io.netslim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.netslim.testing.TestNets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** bench produces valid JSON with every field (speed figures are measured by the command, never asserted here). */
@Tag("e2e")
class BenchmarkTest {
    @Test
    void benchReportsEveryField() {
        JsonNode r = new Benchmark(TestNets.config("data.path=" + TestNets.fashionMnist(), "data.limit-train=384",
                "model.depth=8", "train.batch-size=16", "spark.master=\"local[2]\"", "spark.conf.spark.ui.enabled=false"),
                1, 0).run();
        for (String field : List.of("train_images_per_s", "train_images_per_s_lambda0", "spark_images_per_s",
                "flops_ratio", "speedup_ratio", "prune_seconds", "prune_ratio", "channel_multiple", "peak_rss_mb",
                "gemm_gflops", "train_gflops_achieved")) {
            assertTrue(r.get(field) != null && r.get(field).isNumber() && r.get(field).asDouble() > 0, field + " in " + r);
        }
        for (String model : List.of("unpruned", "pruned")) {
            for (String batch : List.of("batch_1", "batch_256")) {
                assertTrue(r.at("/infer_images_per_s/" + model + "/" + batch).asDouble() > 0, model + " " + batch);
            }
        }
        for (String model : List.of("unpruned", "pruned")) {
            assertTrue(r.at("/infer_images_per_s/" + model + "/batch_64").asDouble() > 0, model + " batch 64");
            for (String batch : List.of("batch_1", "batch_64")) {
                assertTrue(r.at("/onnxruntime/infer_images_per_s/" + model + "/" + batch).asDouble() > 0,
                        "ONNX Runtime " + model + " " + batch + " in " + r);
            }
        }
        assertTrue(r.at("/onnxruntime/speedup_ratio_batch_64").asDouble() > 0);
        assertTrue(r.at("/onnxruntime/onnx_bytes/pruned").asLong() < r.at("/onnxruntime/onnx_bytes/unpruned").asLong(),
                "the pruned model's ONNX file is smaller");
        assertTrue(r.get("flops_ratio").asDouble() < 1, "pruning at prune.ratio must cut FLOPs");
        assertTrue(r.get("channel_multiple_reason").asText().contains("prune.channel-multiple = 1"), r.toString());
        // the figures are consistent with one another
        assertEquals(0.4, r.get("prune_ratio").asDouble(), 1e-12);
        assertEquals(r.at("/infer_images_per_s/pruned/batch_256").asDouble()
                / r.at("/infer_images_per_s/unpruned/batch_256").asDouble(), r.get("speedup_ratio").asDouble(), 1e-9);
        assertEquals(r.at("/infer_images_per_s/pruned/batch_64").asDouble()
                / r.at("/infer_images_per_s/unpruned/batch_64").asDouble(), r.get("speedup_ratio_batch_64").asDouble(), 1e-9);
        assertEquals(r.at("/onnxruntime/infer_images_per_s/pruned/batch_64").asDouble()
                        / r.at("/onnxruntime/infer_images_per_s/unpruned/batch_64").asDouble(),
                r.at("/onnxruntime/speedup_ratio_batch_64").asDouble(), 1e-9);
        assertTrue(r.get("peak_rss_mb").asDouble() > 100, "a JVM with ND4J takes more than 100 MB: " + r);
    }
}
