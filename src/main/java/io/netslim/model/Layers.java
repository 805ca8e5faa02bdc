package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The building blocks every model family shares: graph start, bias-free conv, BN, ReLU, classifier head. */
final class Layers {
    private Layers() {
    }

    /** A graph with one input named "input" of the spec's shape; He init, 'same' padding, no default activation. */
    static ComputationGraphConfiguration.GraphBuilder graph(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        return defaults
                .weightInit(WeightInit.RELU)
                .activation(Activation.IDENTITY)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels()));
    }

    /** Global average pooling then one linear softmax classifier "fc", the network's output. */
    static ComputationGraphConfiguration head(ComputationGraphConfiguration.GraphBuilder g, String last,
                                              ModelSpec spec) {
        return g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last)
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER)
                        .nOut(spec.classes()).build(), "gap")
                .setOutputs("fc")
                .build();
    }

    /** Final BN and ReLU of a pre-activation network, then the classifier head. */
    static ComputationGraphConfiguration preActivationHead(ComputationGraphConfiguration.GraphBuilder g, String last,
                                                           ModelSpec spec) {
        g.addLayer("final_bn", bn(spec.gammaInit()), last)
                .addLayer("final_relu", relu(), "final_bn");
        return head(g, "final_relu", spec);
    }

    static ConvolutionLayer conv(int kernel, int stride, int nOut) {
        return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).nOut(nOut)
                .hasBias(false).activation(Activation.IDENTITY).build();
    }

    static BatchNormalization bn(double gammaInit) {
        return new BatchNormalization.Builder().gamma(gammaInit).activation(Activation.IDENTITY).build();
    }

    static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }
}
