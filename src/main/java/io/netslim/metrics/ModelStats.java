package io.netslim.metrics;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameters and FLOPs counted as the paper counts them: trainable parameters only (BN running mean and
 * variance excluded, as PyTorch's parameters() excludes buffers) and FLOPs = 2 x multiply-adds of the
 * conv and linear layers, for one image.
 */
public record ModelStats(long params, long flops, List<LayerStats> layers) {
    private static final Set<String> BN_STATISTICS = Set.of("mean", "var", "log10stdev");

    /** Counts {@code graph} for inputs of {@code inputShape} = {channels, height, width}. */
    public static ModelStats of(ComputationGraph graph, long[] inputShape) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, InputType> activations = conf.getLayerActivationTypes(
                InputType.convolutional(inputShape[1], inputShape[2], inputShape[0]));
        List<LayerStats> layers = new ArrayList<>();
        long params = 0;
        long flops = 0;
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            Layer lc = layer.conf().getLayer();
            long p = 0;
            for (Map.Entry<String, org.nd4j.linalg.api.ndarray.INDArray> e : layer.paramTable().entrySet()) {
                if (!(lc instanceof BatchNormalization && BN_STATISTICS.contains(e.getKey()))) {
                    p += e.getValue().length();
                }
            }
            params += p;
            long f = 0;
            if (lc instanceof ConvolutionLayer conv) {
                InputType.InputTypeConvolutional outType = (InputType.InputTypeConvolutional) activations.get(name);
                long[] k = conv.getKernelSize() == null ? new long[] {1, 1}
                        : new long[] {conv.getKernelSize()[0], conv.getKernelSize()[1]};
                f = 2L * k[0] * k[1] * conv.getNIn() * conv.getNOut() * outType.getHeight() * outType.getWidth();
                layers.add(new LayerStats(name, "conv", conv.getNIn(), conv.getNOut(), p, f));
            } else if (lc instanceof BatchNormalization bn) {
                layers.add(new LayerStats(name, "bn", bn.getNIn(), bn.getNOut(), p, 0));
            } else if (lc instanceof FeedForwardLayer ff) {
                f = 2L * ff.getNIn() * ff.getNOut();
                layers.add(new LayerStats(name, "dense", ff.getNIn(), ff.getNOut(), p, f));
            }
            flops += f;
        }
        return new ModelStats(params, flops, layers);
    }

    /** Looks up one layer by name. */
    public LayerStats layer(String name) {
        return layers.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no layer " + name));
    }
}
