package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
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

import java.util.Optional;

/**
 * Pre-activation ResNet with basic blocks (He et al. 2016), CIFAR style: depth 6n+2, three stages of
 * widths 16/32/64, BN-ReLU-conv ordering, global average pooling, one linear classifier.
 */
public final class PreResNet implements ModelBuilder {
    static final int[] WIDTHS = {16, 32, 64};

    @Override
    public String name() {
        return "preresnet";
    }

    @Override
    public Optional<String> checkDepth(int depth) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            return Optional.of("preresnet with basic blocks needs depth = 6n+2 with n >= 1 (8, 14, 20, 56, 110...)");
        }
        return Optional.empty();
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        int blocks = (spec.depth() - 2) / 6;
        ComputationGraphConfiguration.GraphBuilder g = defaults
                .weightInit(WeightInit.RELU)
                .activation(Activation.IDENTITY)
                .convolutionMode(ConvolutionMode.Same)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(spec.height(), spec.width(), spec.channels()));
        g.addLayer("stem", conv(3, 1, WIDTHS[0]), "input");
        String trunk = "stem";
        int trunkWidth = WIDTHS[0];
        for (int s = 0; s < WIDTHS.length; s++) {
            for (int b = 0; b < blocks; b++) {
                int stride = (s > 0 && b == 0) ? 2 : 1;
                trunk = basicBlock(g, "s" + (s + 1) + "_b" + b, trunk, trunkWidth, WIDTHS[s], stride, spec.gammaInit());
                trunkWidth = WIDTHS[s];
            }
        }
        g.addLayer("final_bn", bn(spec.gammaInit()), trunk)
                .addLayer("final_relu", relu(), "final_bn")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "final_relu")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER)
                        .nOut(spec.classes()).build(), "pool")
                .setOutputs("fc");
        return g.build();
    }

    private static String basicBlock(ComputationGraphConfiguration.GraphBuilder g, String p, String in,
                                     int inWidth, int width, int stride, double gammaInit) {
        g.addLayer(p + "_bn1", bn(gammaInit), in)
                .addLayer(p + "_relu1", relu(), p + "_bn1")
                .addLayer(p + "_conv1", conv(3, stride, width), p + "_relu1")
                .addLayer(p + "_bn2", bn(gammaInit), p + "_conv1")
                .addLayer(p + "_relu2", relu(), p + "_bn2")
                .addLayer(p + "_conv2", conv(3, 1, width), p + "_relu2");
        String shortcut = in;
        if (stride != 1 || inWidth != width) {
            g.addLayer(p + "_down", conv(1, stride, width), in);
            shortcut = p + "_down";
        }
        g.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), p + "_conv2", shortcut);
        return p + "_add";
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
