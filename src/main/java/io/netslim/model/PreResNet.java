package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;

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
    public String description() {
        return switch (blocks) {
            case AUTO -> "pre-activation ResNet (the paper's); basic blocks (depth 6n+2: 20, 56, 110) below depth "
                    + BOTTLENECK_FROM + ", bottleneck blocks (depth 9n+2: 164 = the paper's) from " + BOTTLENECK_FROM;
            case BASIC -> "pre-activation ResNet with basic blocks at any depth 6n+2";
            case BOTTLENECK -> "pre-activation ResNet with bottleneck blocks at any depth 9n+2";
        };
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
        ComputationGraphConfiguration.GraphBuilder g = Layers.graph(spec, defaults);
        g.addLayer("stem", Layers.conv(3, 1, WIDTHS[0]), "input");
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
        return Layers.preActivationHead(g, trunk, spec);
    }

    private static String basicBlock(ComputationGraphConfiguration.GraphBuilder g, String p, String in,
                                     int inWidth, int width, int stride, double gammaInit) {
        g.addLayer(p + "_bn1", Layers.bn(gammaInit), in)
                .addLayer(p + "_relu1", Layers.relu(), p + "_bn1")
                .addLayer(p + "_conv1", Layers.conv(3, stride, width), p + "_relu1")
                .addLayer(p + "_bn2", Layers.bn(gammaInit), p + "_conv1")
                .addLayer(p + "_relu2", Layers.relu(), p + "_bn2")
                .addLayer(p + "_conv2", Layers.conv(3, 1, width), p + "_relu2");
        return residual(g, p, in, p + "_conv2", inWidth, width, stride);
    }
    private static String bottleneckBlock(ComputationGraphConfiguration.GraphBuilder g, String p, String in,
                                          int inWidth, int width, int stride, double gammaInit) {
        int outWidth = 4 * width;
        g.addLayer(p + "_bn1", Layers.bn(gammaInit), in)
                .addLayer(p + "_relu1", Layers.relu(), p + "_bn1")
                .addLayer(p + "_conv1", Layers.conv(1, 1, width), p + "_relu1")
                .addLayer(p + "_bn2", Layers.bn(gammaInit), p + "_conv1")
                .addLayer(p + "_relu2", Layers.relu(), p + "_bn2")
                .addLayer(p + "_conv2", Layers.conv(3, stride, width), p + "_relu2")
                .addLayer(p + "_bn3", Layers.bn(gammaInit), p + "_conv2")
                .addLayer(p + "_relu3", Layers.relu(), p + "_bn3")
                .addLayer(p + "_conv3", Layers.conv(1, 1, outWidth), p + "_relu3");
        return residual(g, p, in, p + "_conv3", inWidth, outWidth, stride);
    }

    /** Adds the block's output to its input (through a strided 1x1 conv when the shape changes). */
    private static String residual(ComputationGraphConfiguration.GraphBuilder g, String p, String in, String out,
                                   int inWidth, int outWidth, int stride) {
        String shortcut = in;
        if (stride != 1 || inWidth != outWidth) {
            g.addLayer(p + "_down", Layers.conv(1, stride, outWidth), in);
            shortcut = p + "_down";
        }
        g.addVertex(p + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), out, shortcut);
        return p + "_add";
    }
}
