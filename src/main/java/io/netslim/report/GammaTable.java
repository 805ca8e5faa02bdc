package io.netslim.report;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/** gammas.csv: every BatchNorm scale factor of a model, one row per channel. */
public final class GammaTable {
    private GammaTable() {
    }

    /** The gamma column of a gammas.csv text. */
    public static double[] values(String csv) {
        return csv.lines().skip(1).filter(l -> !l.isBlank())
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(',') + 1))).toArray();
    }

    public static String csv(ComputationGraph graph) {
        StringBuilder sb = new StringBuilder("layer,channel,gamma\n");
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                String name = layer.conf().getLayer().getLayerName();
                double[] g = layer.getParam("gamma").castTo(DataType.DOUBLE).toDoubleVector();
                for (int c = 0; c < g.length; c++) {
                    sb.append(name).append(',').append(c).append(',').append((float) g[c]).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
