package io.netslim.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The run's figures as PNG bytes, drawn with JFreeChart from the run's own files. */
public final class Plots {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 600;

    private Plots() {
    }

    /**
     * Distribution of BN scale factors (the paper's Figure 4), one series per named set of gammas, with the
     * prune threshold marked when given (NaN: none).
     */
    public static byte[] gammaHistogram(Map<String, double[]> gammas, double threshold) {
        HistogramDataset ds = new HistogramDataset();
        double max = gammas.values().stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).max().orElse(1);
        gammas.forEach((name, values) -> ds.addSeries(name, java.util.Arrays.stream(values).map(Math::abs).toArray(),
                60, 0, Math.max(max, 1e-6)));
        JFreeChart chart = ChartFactory.createHistogram("BatchNorm scale factors |gamma|", "|gamma|", "channels", ds,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = (XYPlot) chart.getPlot();
        plot.setForegroundAlpha(0.7f);
        if (Double.isFinite(threshold)) {
            ValueMarker marker = new ValueMarker(threshold, Color.BLACK, new BasicStroke(2f));
            marker.setLabel("prune threshold " + String.format("%.3g", threshold));
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(marker);
        }
        return png(chart, WIDTH, HEIGHT);
    }

    /** Channels kept per pruned BatchNorm, before and after (the paper's Figure 5). */
    public static byte[] channelsPerLayer(JsonNode layers) {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        int count = 0;
        for (JsonNode l : layers) {
            if ("bn".equals(l.path("type").asText())) {
                ds.addValue(l.get("channels_before").asDouble(), "before", l.get("name").asText());
                ds.addValue(l.get("channels_after").asDouble(), "after", l.get("name").asText());
                count++;
            }
        }
        JFreeChart chart = ChartFactory.createBarChart("Channels per BatchNorm layer", "layer", "channels", ds,
                PlotOrientation.VERTICAL, true, false, false);
        chart.getCategoryPlot().getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.UP_90);
        return png(chart, Math.max(WIDTH, 18 * count), HEIGHT + 150);
    }

    /** Loss and monitored train and test accuracy per epoch, one series per stage and pass. */
    public static byte[] training(List<JsonNode> epochs) {
        Map<String, XYSeries> loss = new LinkedHashMap<>();
        Map<String, XYSeries> acc = new LinkedHashMap<>();
        int x = 0;
        for (JsonNode e : epochs) {
            String key = e.get("stage").asText() + (e.path("pass").asInt(1) > 1 ? " (pass " + e.get("pass").asInt() + ")" : "");
            x++;
            loss.computeIfAbsent(key, k -> new XYSeries(k)).add(x, e.get("loss").asDouble());
            for (String which : new String[] {"train", "test"}) {
                double a = e.path(which + "_accuracy").asDouble(Double.NaN);
                if (Double.isFinite(a)) {
                    acc.computeIfAbsent(key + ", " + which, k -> new XYSeries(k)).add(x, a);
                }
            }
        }
        XYSeriesCollection lossDs = new XYSeriesCollection();
        loss.values().forEach(lossDs::addSeries);
        XYSeriesCollection accDs = new XYSeriesCollection();
        acc.values().forEach(accDs::addSeries);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(new NumberAxis("epoch (all stages in order)"));
        plot.add(new XYPlot(lossDs, null, new NumberAxis("training loss"), new XYLineAndShapeRenderer()));
        NumberAxis accAxis = new NumberAxis("accuracy (monitor slices)");
        accAxis.setAutoRangeIncludesZero(false);
        plot.add(new XYPlot(accDs, null, accAxis, new XYLineAndShapeRenderer()));
        return png(new JFreeChart("Training", JFreeChart.DEFAULT_TITLE_FONT, plot, true), WIDTH, HEIGHT + 200);
    }

    /** Accuracy against prune ratio (the paper's Figure 7), one series per swept model. */
    public static byte[] ratioSweep(Map<String, double[][]> series) {
        XYSeriesCollection ds = new XYSeriesCollection();
        series.forEach((name, points) -> {
            XYSeries s = new XYSeries(name);
            for (double[] p : points) {
                s.add(p[0], p[1]);
            }
            ds.addSeries(s);
        });
        JFreeChart chart = ChartFactory.createXYLineChart("Test accuracy against prune ratio", "prune ratio",
                "test accuracy", ds, PlotOrientation.VERTICAL, true, false, false);
        ((XYPlot) chart.getPlot()).setRenderer(new XYLineAndShapeRenderer());
        return png(chart, WIDTH, HEIGHT);
    }

    /**
     * A search's candidates: validation accuracy against the fraction of FLOPs kept, the accuracy budget (the
     * unpruned sparse model's accuracy minus the allowed drop) as a line, and the chosen candidate marked
     * ({@code chosen} null: none within the budget).
     */
    public static byte[] search(double[][] candidates, double[] chosen, double sparseAccuracy, double maxDrop) {
        XYSeriesCollection ds = new XYSeriesCollection();
        XYSeries all = new XYSeries("candidates (fine-tuned on the shard)");
        for (double[] p : candidates) {
            all.add(p[0], p[1]);
        }
        ds.addSeries(all);
        XYSeries pick = new XYSeries(chosen == null ? "none within the budget" : "chosen");
        if (chosen != null) {
            pick.add(chosen[0], chosen[1]);
        }
        ds.addSeries(pick);
        JFreeChart chart = ChartFactory.createXYLineChart("Search: validation accuracy against FLOPs kept",
                "FLOPs kept (fraction of the unpruned network)", "validation accuracy", ds, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = (XYPlot) chart.getPlot();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesLinesVisible(1, false);
        renderer.setSeriesShape(1, new java.awt.geom.Ellipse2D.Double(-7, -7, 14, 14));
        renderer.setSeriesPaint(0, new Color(0x1F77B4));
        renderer.setSeriesPaint(1, Color.RED);
        plot.setRenderer(renderer);
        double lo = sparseAccuracy - maxDrop;
        double hi = sparseAccuracy;
        for (double[] p : candidates) {
            lo = Math.min(lo, p[1]);
            hi = Math.max(hi, p[1]);
        }
        double pad = Math.max(0.005, (hi - lo) * 0.08);
        plot.getRangeAxis().setRange(lo - pad, hi + pad);
        for (double[] line : new double[][] {{sparseAccuracy, 0}, {sparseAccuracy - maxDrop, 1}}) {
            ValueMarker marker = new ValueMarker(line[0], line[1] == 0 ? Color.GRAY : Color.BLACK,
                    new BasicStroke(line[1] == 0 ? 1f : 2f));
            marker.setLabel(line[1] == 0 ? String.format("unpruned sparse model %.4f", sparseAccuracy)
                    : String.format("budget: at most %.4f lower", maxDrop));
            marker.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
            marker.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addRangeMarker(marker);
        }
        return png(chart, WIDTH, HEIGHT);
    }

    private static void lighten(org.jfree.chart.plot.Plot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(Color.LIGHT_GRAY);
            xy.setRangeGridlinePaint(Color.LIGHT_GRAY);
        } else if (plot instanceof org.jfree.chart.plot.CategoryPlot cat) {
            cat.setRangeGridlinePaint(Color.LIGHT_GRAY);
        }
    }

    private static byte[] png(JFreeChart chart, int width, int height) {
        if (chart.getPlot() instanceof CombinedDomainXYPlot combined) {
            combined.getSubplots().forEach(p -> lighten((org.jfree.chart.plot.Plot) p));
        }
        lighten(chart.getPlot());
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, width, height);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
