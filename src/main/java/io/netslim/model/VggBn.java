package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
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
    public Optional<String> checkDepth(int depth) {
        return Vgg.CONFIGS.containsKey(depth) ? Optional.empty()
                : Optional.of("vgg-bn needs depth 11, 13, 16 or 19");
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        ComputationGraphConfiguration.GraphBuilder g = Layers.graph(spec, defaults);
        String last = "input";
        int conv = 0;
        int pool = 0;
        long size = Math.min(spec.height(), spec.width());
        int[] widths = Vgg.CONFIGS.get(spec.depth());
        for (int i = 0; i <= widths.length; i++) {
            // torchvision's configurations end with a pooling; ours (the paper's CIFAR VGG) leave it out
            int width = i < widths.length ? widths[i] : 0;
            if (width == 0) {
                if (size < 2) {
                    continue;
                }
                String name = "pool" + (++pool);
                g.addLayer(name, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build(), last);
                size /= 2;
                last = name;
                continue;
            }
            String p = "conv" + (++conv);
            g.addLayer(p, new ConvolutionLayer.Builder(3, 3).nOut(width).hasBias(true)
                            .activation(Activation.IDENTITY).build(), last)
                    .addLayer(p + "_bn", Layers.bn(spec.gammaInit()), p)
                    .addLayer(p + "_relu", Layers.relu(), p + "_bn");
            last = p + "_relu";
        }
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
