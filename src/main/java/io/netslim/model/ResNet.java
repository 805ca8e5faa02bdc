package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.Activation;

import java.util.Map;
import java.util.Optional;

/**
 * The ImageNet ResNet as torchvision has it (He et al. 2015, post-activation): 7x7/2 stem conv, BN, ReLU,
 * 3x3/2 max pooling; four stages of widths 64/128/256/512 of basic blocks (depth 18, 34) or bottleneck blocks
 * (50, 101, 152; 4x wider output, stride on the 3x3 as torchvision's v1.5); a 1x1 conv + BN projection where the
 * shape changes; global average pooling and one linear classifier. Bias-free convs with torchvision's padding.
 */
public final class ResNet implements ModelBuilder {
    private static final int[] WIDTHS = {64, 128, 256, 512};
    private static final Map<Integer, int[]> BLOCKS = Map.of(
            18, new int[] {2, 2, 2, 2},
            34, new int[] {3, 4, 6, 3},
            50, new int[] {3, 4, 6, 3},
            101, new int[] {3, 4, 23, 3},
            152, new int[] {3, 8, 36, 3});

    @Override
    public String name() {
        return "resnet";
    }

    @Override
    public String description() {
        return "ImageNet ResNet as torchvision has it, post-activation (depth 18, 34 basic blocks; 50, 101, 152 "
                + "bottleneck blocks)";
    }

    @Override
    public Optional<String> checkDepth(int depth) {
        return BLOCKS.containsKey(depth) ? Optional.empty()
                : Optional.of("resnet needs depth 18, 34 (basic blocks), 50, 101 or 152 (bottleneck blocks)");
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        boolean bottleneck = spec.depth() >= 50;
        int expansion = bottleneck ? 4 : 1;
        ComputationGraphConfiguration.GraphBuilder g = Layers.graph(spec, defaults);
        g.addLayer("conv1", conv(7, 2, 3, 64), "input")
                .addLayer("bn1", Layers.bn(spec.gammaInit()), "conv1")
                .addLayer("relu1", Layers.relu(), "bn1")
                .addLayer("maxpool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .padding(1, 1).convolutionMode(ConvolutionMode.Truncate).build(), "relu1");
        String trunk = "maxpool";
        int trunkWidth = 64;
        int[] blocks = BLOCKS.get(spec.depth());
        for (int s = 0; s < WIDTHS.length; s++) {
            for (int b = 0; b < blocks[s]; b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                String p = "layer" + (s + 1) + "_" + b;
                int width = WIDTHS[s];
                String last = bottleneck ? bottleneck(g, p, trunk, width, stride, spec.gammaInit())
                        : basic(g, p, trunk, width, stride, spec.gammaInit());
                int outWidth = width * expansion;
                String shortcut = trunk;
                if (stride != 1 || trunkWidth != outWidth) {
                    g.addLayer(p + "_down", conv(1, stride, 0, outWidth), trunk)
                            .addLayer(p + "_down_bn", Layers.bn(spec.gammaInit()), p + "_down");
                    shortcut = p + "_down_bn";
                }
                g.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), last, shortcut)
                        .addLayer(p + "_relu", Layers.relu(), p + "_add");
                trunk = p + "_relu";
                trunkWidth = outWidth;
            }
        }
        return Layers.head(g, trunk, spec);
    }

    private static String basic(ComputationGraphConfiguration.GraphBuilder g, String p, String in, int width,
                                int stride, double gammaInit) {
        g.addLayer(p + "_conv1", conv(3, stride, 1, width), in)
                .addLayer(p + "_bn1", Layers.bn(gammaInit), p + "_conv1")
                .addLayer(p + "_relu1", Layers.relu(), p + "_bn1")
                .addLayer(p + "_conv2", conv(3, 1, 1, width), p + "_relu1")
                .addLayer(p + "_bn2", Layers.bn(gammaInit), p + "_conv2");
        return p + "_bn2";
    }

    private static String bottleneck(ComputationGraphConfiguration.GraphBuilder g, String p, String in, int width,
                                     int stride, double gammaInit) {
        g.addLayer(p + "_conv1", conv(1, 1, 0, width), in)
                .addLayer(p + "_bn1", Layers.bn(gammaInit), p + "_conv1")
                .addLayer(p + "_relu1", Layers.relu(), p + "_bn1")
                .addLayer(p + "_conv2", conv(3, stride, 1, width), p + "_relu1")
                .addLayer(p + "_bn2", Layers.bn(gammaInit), p + "_conv2")
                .addLayer(p + "_relu2", Layers.relu(), p + "_bn2")
                .addLayer(p + "_conv3", conv(1, 1, 0, 4 * width), p + "_relu2")
                .addLayer(p + "_bn3", Layers.bn(gammaInit), p + "_conv3");
        return p + "_bn3";
    }

    /** A bias-free conv with torchvision's explicit padding (floor division of the output size). */
    private static ConvolutionLayer conv(int kernel, int stride, int padding, int nOut) {
        return new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(padding, padding)
                .convolutionMode(ConvolutionMode.Truncate).nOut(nOut).hasBias(false)
                .activation(Activation.IDENTITY).build();
    }
}
