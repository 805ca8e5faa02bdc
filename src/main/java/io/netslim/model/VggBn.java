package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Optional;

/**
 * The ImageNet VGG with BatchNorm as torchvision has it ({@code vgg11_bn} ... {@code vgg19_bn}): 3x3 convs with
 * bias, each followed by BN and ReLU, five 2x2 max poolings, then the classifier on the flattened features:
 * 4096-ReLU-dropout-4096-ReLU-dropout-classes. At 224x224 the features are 512x7x7, as after torchvision's
 * adaptive pooling; smaller inputs flatten what is left (a pooling that would go below 1x1 is skipped).
 */
public final class VggBn implements ModelBuilder {
    private static final int HIDDEN = 4096;
    private static final double DROPOUT_RETAIN = 0.5;

    @Override
    public String name() {
        return "vgg-bn";
    }

    @Override
    public String description() {
        return "ImageNet VGG with BN as torchvision's vgg*_bn, 4096-4096 classifier (depth 11, 13, 16, 19)";
    }

    @Override
    public Optional<String> checkDepth(int depth) {
        return Vgg.CONFIGS.containsKey(depth) ? Optional.empty()
                : Optional.of("vgg-bn needs depth 11, 13, 16 or 19");
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        ComputationGraphConfiguration.GraphBuilder g = Layers.graph(spec, defaults);
        // torchvision's configurations end with a pooling; ours (the paper's CIFAR VGG) leave it out
        int[] widths = java.util.Arrays.copyOf(Vgg.CONFIGS.get(spec.depth()), Vgg.CONFIGS.get(spec.depth()).length + 1);
        String last = Vgg.features(g, widths, true, spec);
        return g.addLayer("fc1", new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.RELU).build(), last)
                .addLayer("fc2", new DenseLayer.Builder().nOut(HIDDEN).activation(Activation.RELU)
                        .dropOut(DROPOUT_RETAIN).build(), "fc1")
                .addLayer("fc3", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).dropOut(DROPOUT_RETAIN)
                        .nOut(spec.classes()).build(), "fc2")
                .setOutputs("fc3")
                .build();
    }
}
