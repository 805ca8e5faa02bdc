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
 * Pre-activation ResNet (He et al. 2016), CIFAR style: three stages of inner widths 16/32/64, BN-ReLU-conv
 * ordering, global average pooling, one linear classifier. Basic blocks (two 3x3 convs, depth 6n+2) below
 * depth 164; bottleneck blocks (1x1, 3x3, 1x1 with 4x wider trunk, depth 9n+2) from 164 on, as He et al.'s
 * ResNet-164/1001 and the Network Slimming reference. {@code preresnet-basic} and
 * {@code preresnet-bottleneck} force one block type.
 */
public final class PreResNet implements ModelBuilder {
    static final int[] WIDTHS = {16, 32, 64};
    private static final int BOTTLENECK_FROM = 164;

    /** Which blocks: chosen by depth, or forced. */
    public enum Blocks { AUTO, BASIC, BOTTLENECK }

    private final Blocks blocks;

    public PreResNet() {
        this(Blocks.AUTO);
    }

    public PreResNet(Blocks blocks) {
        this.blocks = blocks;
    }

    @Override
    public String name() {
        return switch (blocks) {
            case AUTO -> "preresnet";
            case BASIC -> "preresnet-basic";
            case BOTTLENECK -> "preresnet-bottleneck";
        };
    }

    private boolean bottleneck(int depth) {
        return blocks == Blocks.BOTTLENECK || (blocks == Blocks.AUTO && depth >= BOTTLENECK_FROM);
    }

    @Override
    public Optional<String> checkDepth(int depth) {
        if (bottleneck(depth) && (depth < 11 || (depth - 2) % 9 != 0)) {
            return Optional.of(name() + " with bottleneck blocks needs depth = 9n+2 (11, 164, 1001...)");
        }
        if (!bottleneck(depth) && (depth < 8 || (depth - 2) % 6 != 0)) {
            return Optional.of(name() + " with basic blocks needs depth = 6n+2 below 164 (8, 14, 20, 56, 110...)");
        }
        return Optional.empty();
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        boolean bottleneck = bottleneck(spec.depth());
        int blocks = (spec.depth() - 2) / (bottleneck ? 9 : 6);
        int expansion = bottleneck ? 4 : 1;
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
                String p = "s" + (s + 1) + "_b" + b;
                trunk = bottleneck
                        ? bottleneckBlock(g, p, trunk, trunkWidth, WIDTHS[s], stride, spec.gammaInit())
                        : basicBlock(g, p, trunk, trunkWidth, WIDTHS[s], stride, spec.gammaInit());
                trunkWidth = WIDTHS[s] * expansion;
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

    private static String bottleneckBlock(ComputationGraphConfiguration.GraphBuilder g, String p, String in,
                                          int inWidth, int width, int stride, double gammaInit) {
        int outWidth = 4 * width;
        g.addLayer(p + "_bn1", bn(gammaInit), in)
                .addLayer(p + "_relu1", relu(), p + "_bn1")
                .addLayer(p + "_conv1", conv(1, 1, width), p + "_relu1")
                .addLayer(p + "_bn2", bn(gammaInit), p + "_conv1")
                .addLayer(p + "_relu2", relu(), p + "_bn2")
                .addLayer(p + "_conv2", conv(3, stride, width), p + "_relu2")
                .addLayer(p + "_bn3", bn(gammaInit), p + "_conv2")
                .addLayer(p + "_relu3", relu(), p + "_bn3")
                .addLayer(p + "_conv3", conv(1, 1, outWidth), p + "_relu3");
        String shortcut = in;
        if (stride != 1 || inWidth != outWidth) {
            g.addLayer(p + "_down", conv(1, stride, outWidth), in);
            shortcut = p + "_down";
        }
        g.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), p + "_conv3", shortcut);
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
