package io.netslim.report;

import io.netslim.artifacts.Stage;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Base64;
import java.util.Map;

/** report.html: one self-contained page (images embedded) summarising a run. */
public final class HtmlReport {
    private HtmlReport() {
    }

    public static String render(String runUri, JsonNode report, Map<String, byte[]> plots) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>netslim run</title><style>")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}")
                .append("th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}img{max-width:100%}")
                .append("pre{background:#f7f7f7;padding:1em;overflow:auto;max-height:30em}</style></head><body>\n");
        h.append("<h1>netslim run</h1><p>").append(esc(runUri)).append("</p>\n");
        h.append("<h2>Accuracy per stage</h2><table><tr><th>stage</th><th>test accuracy</th><th>seconds</th><th>kernels</th></tr>");
        for (String stage : java.util.Arrays.stream(Stage.values()).map(s -> s.result).toList()) {
            JsonNode s = report.path("stages").path(stage);
            if (!s.isMissingNode()) {
                h.append("<tr><td>").append(stage).append("</td><td>")
                        .append(String.format("%.4f", s.get("test_accuracy").asDouble())).append("</td><td>")
                        .append(String.format("%.1f", s.get("seconds").asDouble())).append("</td><td title=\"")
                        .append(esc(s.path("kernels").path("why").asText())).append("\">")
                        .append(esc(s.path("kernels").path("resolved").asText())).append("</td></tr>");
            }
        }
        h.append("</table>\n<h2>Model before and after pruning</h2><table><tr><th></th><th>before</th><th>after</th><th>cut</th></tr>");
        row(h, "parameters", report.path("params"), "%.0f");
        row(h, "FLOPs (one image)", report.path("flops"), "%.4g");
        row(h, "ONNX file, bytes", report.path("onnx_bytes"), "%.0f");
        h.append("</table>\n");
        JsonNode latency = report.path("latency");
        if (latency.has("before")) {
            h.append("<h2>Latency before and after pruning</h2><table><tr><th>engine, ms per batch of ")
                    .append(latency.path("batch").asInt()).append("</th><th>before</th><th>after</th><th>cut</th></tr>");
            row(h, "DL4J", latency, "%.1f");
            row(h, "ONNX Runtime", latency.path("onnxruntime"), "%.1f");
            h.append("</table>\n");
        }
        JsonNode prune = report.path("prune");
        h.append("<p>Prune ratio ").append(prune.path("ratio").asDouble()).append(", threshold |gamma| &le; ")
                .append(String.format("%.4g", prune.path("threshold").asDouble())).append(": ")
                .append(prune.path("channels_removed").asInt()).append(" of ")
                .append(prune.path("channels_prunable").asInt()).append(" prunable channels removed.</p>\n");
        for (JsonNode note : prune.path("notes")) {
            h.append("<p><em>").append(esc(note.asText())).append("</em></p>\n");
        }
        plots.forEach((name, png) -> h.append("<h2>").append(esc(name)).append("</h2><img alt=\"").append(esc(name))
                .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png)).append("\">\n"));
        h.append("<h2>Layers</h2><table><tr><th>layer</th><th>type</th><th>channels before</th><th>after</th></tr>");
        for (JsonNode l : report.path("layers")) {
            h.append("<tr><td>").append(esc(l.get("name").asText())).append("</td><td>").append(l.get("type").asText())
                    .append("</td><td>").append(l.get("channels_before").asLong()).append("</td><td>")
                    .append(l.get("channels_after").asLong()).append("</td></tr>");
        }
        h.append("</table>\n<h2>Configuration</h2><pre>").append(esc(report.path("config").toPrettyString()))
                .append("</pre>\n</body></html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String label, JsonNode n, String fmt) {
        if (n.isMissingNode() || !n.has("before")) {
            return;
        }
        h.append("<tr><td>").append(label).append("</td><td>").append(String.format(fmt, n.get("before").asDouble()))
                .append("</td><td>").append(String.format(fmt, n.get("after").asDouble())).append("</td><td>")
                .append(String.format("%.1f%%", 100 * n.path("cut").asDouble())).append("</td></tr>");
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
