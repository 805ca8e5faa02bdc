package io.netslim.prune;

import io.netslim.model.ChannelSelectVertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the genuinely smaller network a {@link PrunePlan} describes: a new ComputationGraph whose
 * convs, BatchNorms and dense layers have fewer channels, holding the surviving weights, biases and BN
 * statistics of the original. The original is left untouched.
 */
public final class NetworkSurgeon {
    private NetworkSurgeon() {
    }

    public static ComputationGraph prune(ComputationGraph original, DependencyGraph deps, PrunePlan plan) {
        Map<String, long[]> outKeep = new HashMap<>();
        Map<String, long[]> inKeep = new HashMap<>();
        plan.keep().forEach((bn, kept) -> {
            ChannelGroup g = deps.groups().get(bn);
            if (g == null) {
                throw new IllegalArgumentException("plan prunes " + bn + ", which is not a prunable group");
            }
            long[] k = Arrays.stream(kept).asLongStream().toArray();
            if (g.producer() != null) {
                outKeep.put(g.producer(), k);
            }
            outKeep.put(g.batchNorm(), k);
            inKeep.put(g.batchNorm(), k);
            g.consumers().forEach(c -> inKeep.put(c, k));
        });

        ComputationGraphConfiguration conf = original.getConfiguration().clone();
        plan.keep().forEach((bn, kept) -> {
            ChannelGroup g = deps.groups().get(bn);
            if (g.bySelection()) {
                select(conf, g, kept);
            }
        });
        outKeep.forEach((name, k) -> ffLayer(conf, name).setNOut(k.length));
        inKeep.forEach((name, k) -> ffLayer(conf, name).setNIn(k.length));
        ComputationGraph pruned = new ComputationGraph(conf);
        pruned.init();

        for (org.deeplearning4j.nn.api.Layer layer : pruned.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            Layer lc = layer.conf().getLayer();
            Map<String, INDArray> oldParams = original.getLayer(name).paramTable();
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray source = oldParams.get(p.getKey());
                INDArray sliced = slice(lc, p.getKey(), source, outKeep.get(name), inKeep.get(name));
                if (!Arrays.equals(sliced.shape(), p.getValue().shape())) {
                    throw new IllegalStateException("surgery on " + name + "/" + p.getKey() + ": got shape "
                            + Arrays.toString(sliced.shape()) + ", expected " + Arrays.toString(p.getValue().shape()));
                }
                p.getValue().assign(sliced);
            }
        }
        return pruned;
    }

    /** Selects kept output/input channels of one parameter, by the layer type's parameter layout. */
    private static INDArray slice(Layer layer, String key, INDArray param, long[] out, long[] in) {
        int last = param.rank() - 1;
        if (layer instanceof BatchNormalization) {
            // gamma, beta, mean, var/log10stdev: one value per channel, on the last axis.
            return select(param, last, out);
        }
        if (DependencyGraph.isPlainConv(layer)) {
            // W: [out, in, kh, kw]; b: [1, out]
            return "W".equals(key) ? select(select(param, 0, out), 1, in) : select(param, last, out);
        }
        if (layer instanceof FeedForwardLayer) {
            // Dense / output: W: [in, out]; b: [1, out]. Only input channels are ever pruned here.
            if (out != null) {
                throw new IllegalStateException("cannot prune outputs of " + layer.getLayerName());
            }
            return "W".equals(key) ? select(param, 0, in) : param;
        }
        return param;
    }

    /** The entries of {@code a} at positions {@code keep} along {@code axis} (all of {@code a} when null). */
    static INDArray select(INDArray a, int axis, long[] keep) {
        if (keep == null) {
            return a;
        }
        long[] shape = a.shape();
        long outer = 1;
        for (int i = 0; i < axis; i++) {
            outer *= shape[i];
        }
        long inner = 1;
        for (int i = axis + 1; i < shape.length; i++) {
            inner *= shape[i];
        }
        double[] src = a.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        double[] dst = new double[(int) (outer * keep.length * inner)];
        int d = 0;
        for (long o = 0; o < outer; o++) {
            for (long k : keep) {
                long base = (o * shape[axis] + k) * inner;
                for (long i = 0; i < inner; i++) {
                    dst[d++] = src[(int) (base + i)];
                }
            }
        }
        long[] newShape = shape.clone();
        newShape[axis] = keep.length;
        return Nd4j.create(dst, newShape, 'c').castTo(a.dataType());
    }

    /** Makes the BN of {@code g} read only channels {@code kept} of its input, through a selection vertex. */
    private static void select(ComputationGraphConfiguration conf, ChannelGroup g, int[] kept) {
        if (g.selector() != null) {
            int[] before = ((ChannelSelectVertex) conf.getVertices().get(g.selector())).getChannels();
            int[] composed = Arrays.stream(kept).map(i -> before[i]).toArray();
            conf.getVertices().put(g.selector(), new ChannelSelectVertex(composed));
            return;
        }
        String name = g.batchNorm() + "_select";
        if (conf.getVertices().containsKey(name)) {
            throw new IllegalStateException("vertex " + name + " exists already");
        }
        List<String> input = conf.getVertexInputs().get(g.batchNorm());
        conf.getVertices().put(name, new ChannelSelectVertex(kept));
        conf.getVertexInputs().put(name, new ArrayList<>(input));
        conf.getVertexInputs().put(g.batchNorm(), new ArrayList<>(List.of(name)));
    }

    private static FeedForwardLayer ffLayer(ComputationGraphConfiguration conf, String name) {
        Layer layer = DependencyGraph.layerOf(conf, name);
        if (!(layer instanceof FeedForwardLayer ff)) {
            throw new IllegalStateException(name + " has no channel count to change");
        }
        return ff;
    }
}
