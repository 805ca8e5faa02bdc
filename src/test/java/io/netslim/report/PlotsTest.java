package io.netslim.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.testing.PngCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyPlotIsAMeaningfulPng() throws Exception {
        java.util.Random rnd = new java.util.Random(1);
        double[] sparse = rnd.doubles(400).map(v -> v < 0.4 ? v * 0.01 : v).toArray();
        double[] plain = rnd.doubles(400).map(v -> 0.3 + v * 0.4).toArray();
        PngCheck.assertMeaningfulPng(Plots.gammaHistogram(Map.of("sparse", sparse, "baseline", plain), 0.05), "histogram");
        JsonNode layers = JSON.readTree("[{\"name\":\"a_bn\",\"type\":\"bn\",\"channels_before\":16,\"channels_after\":4},"
                + "{\"name\":\"b_bn\",\"type\":\"bn\",\"channels_before\":32,\"channels_after\":20},"
                + "{\"name\":\"c\",\"type\":\"conv\",\"channels_before\":32,\"channels_after\":20}]");
        PngCheck.assertMeaningfulPng(Plots.channelsPerLayer(layers), "channels");
        List<JsonNode> epochs = List.of(
                JSON.readTree("{\"stage\":\"sparse\",\"pass\":1,\"loss\":1.2,\"test_accuracy\":0.6}"),
                JSON.readTree("{\"stage\":\"sparse\",\"pass\":1,\"loss\":0.8,\"test_accuracy\":0.7}"),
                JSON.readTree("{\"stage\":\"finetune\",\"pass\":1,\"loss\":0.6,\"test_accuracy\":0.8}"));
        PngCheck.assertMeaningfulPng(Plots.training(epochs), "training");
        PngCheck.assertMeaningfulPng(Plots.ratioSweep(Map.of("sparse", new double[][] {{0.2, 0.8}, {0.5, 0.6}})), "sweep");
    }

    @Test
    void htmlReportEmbedsItsImages() throws Exception {
        JsonNode report = JSON.readTree("{\"stages\":{\"sparse\":{\"test_accuracy\":0.8,\"seconds\":10}},"
                + "\"params\":{\"before\":100,\"after\":60,\"cut\":0.4},\"prune\":{\"ratio\":0.4,\"notes\":[\"x <kept>\"]},"
                + "\"layers\":[],\"config\":{\"a\":1}}");
        String html = HtmlReport.render("file:/r", report, Map.of("plots/x.png", new byte[] {1, 2, 3}));
        assertTrue(html.contains("src=\"data:image/png;base64,AQID\""));
        assertTrue(html.contains("x &lt;kept&gt;"));
        assertFalse(html.contains("http"));
    }
}
