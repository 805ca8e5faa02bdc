package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.HashSet;
import java.util.Set;

/** A MultiLayerNetwork's configuration as the equivalent ComputationGraph: its layers in a chain, same preprocessors. */
final class Chains {
    private Chains() {
    }

    static ComputationGraphConfiguration toGraph(MultiLayerConfiguration mlc, ModelSpec spec) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .dataType(mlc.getDataType())
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels()));
        String last = "input";
        Set<String> names = new HashSet<>();
        for (int i = 0; i < mlc.getConfs().size(); i++) {
            Layer layer = mlc.getConf(i).getLayer().clone();
            String name = layer.getLayerName();
            if (name == null || name.isBlank() || !names.add(name)) {
                name = "layer" + i;
                names.add(name);
            }
            layer.setLayerName(name);
            InputPreProcessor pre = mlc.getInputPreProcess(i);
            g.addLayer(name, layer, pre == null ? null : pre.clone(), last);
            last = name;
        }
        return g.setOutputs(last).build();
    }
}
