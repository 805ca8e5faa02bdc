package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.ArrayList;
import java.util.List;

/**
 * Gives a network netslim did not build (a zoo model, a loaded model zip) the optimiser settings the caller
 * decided in {@code defaults}: the updater and its learning rate, weight decay on weights and none on biases,
 * workspaces on. Layers, weights and initialisation stay as they are.
 */
public final class Retraining {
    private Retraining() {
    }

    /** {@code conf} (changed in place) with the updater and regularisation of {@code defaults} on every layer. */
    public static ComputationGraphConfiguration apply(ComputationGraphConfiguration conf,
                                                      NeuralNetConfiguration.Builder defaults) {
        for (GraphVertex v : conf.getVertices().values()) {
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                layer.setIUpdater(defaults.getIUpdater().clone());
                layer.setBiasUpdater(null);
                layer.setRegularization(copy(defaults.getRegularization()));
                layer.setRegularizationBias(copy(defaults.getRegularizationBias()));
            }
        }
        conf.setTrainingWorkspaceMode(WorkspaceMode.ENABLED);
        conf.setInferenceWorkspaceMode(WorkspaceMode.ENABLED);
        return conf;
    }

    private static List<Regularization> copy(List<Regularization> r) {
        List<Regularization> out = new ArrayList<>();
        if (r != null) {
            r.forEach(x -> out.add(x.clone()));
        }
        return out;
    }
}
