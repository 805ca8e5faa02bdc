package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import org.nd4j.linalg.activations.Activation;

import java.util.Map;
import java.util.Optional;

/**
 * VGG with BatchNorm after every conv, as in the Network Slimming reference: conv-BN-ReLU stages
 * separated by 2x2 max pooling, no dropout, global average pooling, one linear classifier.
 * Depth 19 is the paper's variant (16 convs + the classifier, counted as in the reference code).
 */
public final class Vgg implements ModelBuilder {
    /** Widths per depth; 0 marks a max pooling. */
    static final Map<Integer, int[]> CONFIGS = Map.of(
            11, new int[] {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512},
            13, new int[] {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512},
            16, new int[] {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512},
            19, new int[] {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512});

    @Override
    public String name() {
        return "vgg";
    }

    @Override
    public String description() {
        return "VGG with BN after every conv, CIFAR head (depth 11, 13, 16, 19 = the paper's)";
    }

    @Override
    public Optional<String> checkDepth(int depth) {
        return CONFIGS.containsKey(depth) ? Optional.empty()
                : Optional.of("vgg needs depth 11, 13, 16 or 19");
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        ComputationGraphConfiguration.GraphBuilder g = Layers.graph(spec, defaults);
        return Layers.head(g, features(g, CONFIGS.get(spec.depth()), false, spec), spec);
    }

    /**
     * Adds conv-BN-ReLU stages of {@code widths} (0 = a 2x2 max pooling, skipped when the input is already too
     * small for it) after the input, 3x3 convs with or without bias; returns the last vertex.
     */
    static String features(ComputationGraphConfiguration.GraphBuilder g, int[] widths, boolean bias, ModelSpec spec) {
        String last = "input";
        int conv = 0;
        int pool = 0;
        long size = Math.min(spec.height(), spec.width());
        for (int width : widths) {
            if (width == 0) {
                if (size < 2) {
                    continue; // input too small for another 2x2 pooling: keep the resolution
                }
                String name = "pool" + (++pool);
                g.addLayer(name, new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2)
                        .build(), last);
                size /= 2;
                last = name;
                continue;
            }
            String p = "conv" + (++conv);
            g.addLayer(p, new ConvolutionLayer.Builder(3, 3).nOut(width).hasBias(bias)
                            .activation(Activation.IDENTITY).build(), last)
                    .addLayer(p + "_bn", Layers.bn(spec.gammaInit()), p)
                    .addLayer(p + "_relu", Layers.relu(), p + "_bn");
            last = p + "_relu";
        }
        return last;
    }
}
