package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import java.util.Optional;

/**
 * DenseNet for CIFAR-sized inputs as in the Network Slimming paper (DenseNet-40): a 3x3 stem of 16
 * channels, three dense blocks of (depth-4)/3 BN-ReLU-3x3 conv layers each adding
 * {@code growth} channels by concatenation, transitions BN-ReLU-1x1 conv-2x2 average pooling with no
 * compression, then BN-ReLU, global average pooling and one linear classifier.
 */
public final class DenseNet implements ModelBuilder {
    private static final int GROWTH = 12;
    /** First conv width: 16, as Huang et al. use for DenseNet without bottlenecks (the paper's 1.02M params). */
    private static final int STEM = 16;

    @Override
    public String name() {
        return "densenet";
    }

    @Override
    public String description() {
        return "DenseNet, growth 12, no compression (depth 3n+4: 40 = the paper's)";
    }

    @Override
    public Optional<String> checkDepth(int depth) {
        return depth >= 7 && (depth - 4) % 3 == 0 ? Optional.empty()
                : Optional.of("densenet needs depth = 3n+4 (40 = the paper's, 100...)");
    }

    @Override
    public ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults) {
        int layersPerBlock = (spec.depth() - 4) / 3;
        ComputationGraphConfiguration.GraphBuilder g = Layers.graph(spec, defaults);
        g.addLayer("stem", Layers.conv(3, 1, STEM), "input");
        String last = "stem";
        for (int b = 1; b <= 3; b++) {
            for (int l = 0; l < layersPerBlock; l++) {
                String p = "d" + b + "_l" + l;
                g.addLayer(p + "_bn", Layers.bn(spec.gammaInit()), last)
                        .addLayer(p + "_relu", Layers.relu(), p + "_bn")
                        .addLayer(p + "_conv", Layers.conv(3, 1, GROWTH), p + "_relu")
                        .addVertex(p + "_cat", new MergeVertex(), last, p + "_conv");
                last = p + "_cat";
            }
            if (b < 3) {
                String t = "t" + b;
                int channels = STEM + b * layersPerBlock * GROWTH;
                g.addLayer(t + "_bn", Layers.bn(spec.gammaInit()), last)
                        .addLayer(t + "_relu", Layers.relu(), t + "_bn")
                        .addLayer(t + "_conv", Layers.conv(1, 1, channels), t + "_relu")
                        .addLayer(t + "_pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2)
                                .stride(2, 2).build(), t + "_conv");
                last = t + "_pool";
            }
        }
        return Layers.preActivationHead(g, last, spec);
    }
}
