package io.netslim.export;

import org.deeplearning4j.nn.conf.layers.LossLayer;

/** DL4J's parameter-free loss layer (Darknet19's head): at inference only its activation, on the features. */
final class LossLayerConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        return Activations.apply(g, v, ((LossLayer) v.conf()).getActivationFn(), v.input(0));
    }
}
