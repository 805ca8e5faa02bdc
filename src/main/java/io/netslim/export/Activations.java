package io.netslim.export;

import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/** A layer's activation function as an ONNX node (none for identity). */
final class Activations {
    private Activations() {
    }

    /** The name {@code v}'s main node should write: its own name when no activation node follows. */
    static String preActivation(Vertex v, IActivation fn) {
        return fn == null || fn instanceof ActivationIdentity ? v.name() : v.name() + "/linear";
    }

    /** Applies {@code fn} to tensor {@code in}; returns the output tensor (named after the vertex). */
    static String apply(OnnxGraph g, Vertex v, IActivation fn, String in) {
        if (fn == null || fn instanceof ActivationIdentity) {
            return in;
        }
        if (fn instanceof ActivationReLU r) {
            if (r.getMax() != null || r.getThreshold() != null || r.getNegativeSlope() != null) {
                throw v.unsupported("uses a ReLU with max, threshold or negative slope (" + r + ")");
            }
            g.node("Relu", v.name(), in);
        } else if (fn instanceof ActivationLReLU l) {
            g.node("LeakyRelu", v.name(), in).addAttribute(OnnxGraph.real("alpha", (float) l.getAlpha()));
        } else if (fn instanceof ActivationSigmoid) {
            g.node("Sigmoid", v.name(), in);
        } else if (fn instanceof ActivationTanH) {
            g.node("Tanh", v.name(), in);
        } else if (fn instanceof ActivationSoftmax) {
            g.node("Softmax", v.name(), in).addAttribute(OnnxGraph.integer("axis", 1));
        } else {
            throw v.unsupported("uses activation " + fn + ", which the exporter does not convert (identity, "
                    + "relu, leakyrelu, sigmoid, tanh, softmax)");
        }
        return v.name();
    }
}
