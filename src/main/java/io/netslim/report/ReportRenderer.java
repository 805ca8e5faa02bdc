package io.netslim.report;

import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.OutputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws a run's plots and report.html from the files it wrote (report.json, gammas.csv, metrics.jsonl and
 * sweep.json when a sweep ran, search.json when a search ran), so they can be redrawn at any time. Returns the
 * files it wrote.
 */
public final class ReportRenderer {
    public static final String REPORT = "report.json";
    public static final String GAMMAS = "gammas.csv";
    public static final String BASELINE_GAMMAS = "baseline-gammas.csv";
    public static final String HTML = "report.html";
    public static final String SWEEP = "sweep.json";
    public static final String SEARCH = "search.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ReportRenderer() {
    }

    public static List<String> render(ArtifactStore store) {
        JsonNode report = read(store, REPORT);
        Map<String, byte[]> plots = new LinkedHashMap<>();
        if (store.exists(GAMMAS)) {
            Map<String, double[]> gammas = new LinkedHashMap<>();
            gammas.put("sparse model (lambda " + report.at("/config/sparsity/lambda").asText() + ")",
                    GammaTable.values(store.readText(GAMMAS)));
            if (store.exists(BASELINE_GAMMAS)) {
                gammas.put("baseline model (lambda 0)", GammaTable.values(store.readText(BASELINE_GAMMAS)));
            }
            plots.put("plots/gamma-hist.png", Plots.gammaHistogram(gammas,
                    report.at("/prune/threshold").asDouble(Double.NaN)));
        }
        if (report.has("layers")) {
            plots.put("plots/channels-per-layer.png", Plots.channelsPerLayer(report.get("layers")));
        }
        if (store.exists(MetricsLog.FILE)) {
            List<JsonNode> epochs = new ArrayList<>();
            for (String line : store.readText(MetricsLog.FILE).split("\n")) {
                if (!line.isBlank()) {
                    epochs.add(parse(line, MetricsLog.FILE));
                }
            }
            plots.put("plots/training.png", Plots.training(epochs));
        }
        if (store.exists(SWEEP)) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            read(store, SWEEP).get("series").fields().forEachRemaining(e -> {
                double[][] points = new double[e.getValue().size()][];
                for (int i = 0; i < points.length; i++) {
                    JsonNode p = e.getValue().get(i);
                    points[i] = new double[] {p.get("ratio").asDouble(), p.get("test_accuracy").asDouble()};
                }
                series.put(e.getKey(), points);
            });
            plots.put("plots/ratio-sweep.png", Plots.ratioSweep(series));
        }
        if (store.exists(SEARCH)) {
            JsonNode search = read(store, SEARCH);
            JsonNode candidates = search.get("candidates");
            double[][] points = new double[candidates.size()][];
            for (int i = 0; i < points.length; i++) {
                JsonNode c = candidates.get(i);
                points[i] = new double[] {c.get("flops_kept").asDouble(), c.get("validation_accuracy").asDouble()};
            }
            JsonNode chosen = search.get("chosen");
            plots.put("plots/search.png", Plots.search(points, chosen == null || chosen.isNull() ? null
                            : new double[] {chosen.get("flops_kept").asDouble(), chosen.get("validation_accuracy").asDouble()},
                    search.at("/sparse/validation_accuracy").asDouble(), search.get("max_accuracy_drop").asDouble()));
        }
        List<String> written = new ArrayList<>();
        plots.forEach((name, png) -> {
            store.write(name, out -> out.write(png));
            written.add(name);
        });
        store.writeText(HTML, HtmlReport.render(store.uri(), report, plots));
        written.add(HTML);
        return written;
    }

    private static JsonNode read(ArtifactStore store, String name) {
        return parse(store.readText(name), store.uri(name));
    }

    private static JsonNode parse(String json, String where) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new OutputException(where + ": not valid JSON (" + e.getMessage() + ")", e);
        }
    }
}
