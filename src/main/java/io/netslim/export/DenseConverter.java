package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;

/**
 * A fully connected layer (DenseLayer, or an OutputLayer or CenterLossOutputLayer without its loss): x W + b as ONNX
 * Gemm, then its activation.
 */
final class DenseConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        BaseLayer layer = (BaseLayer) v.conf();
        boolean bias = layer instanceof DenseLayer d ? d.hasBias() : ((BaseOutputLayer) layer).hasBias();
        long[] shape = v.shape("W");
        String weight = g.weight(v.name() + ".weight", v.floats("W"), shape);
        String out = Activations.preActivation(v, layer.getActivationFn());
        if (bias) {
            g.node("Gemm", out, v.input(0), weight, g.weight(v.name() + ".bias", v.floats("b"), shape[1]));
        } else {
            g.node("Gemm", out, v.input(0), weight);
        }
        return Activations.apply(g, v, layer.getActivationFn(), out);
    }
}
