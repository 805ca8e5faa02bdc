package io.netslim.cpu;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which activations of a training-time graph are stored channels-last: NHWC values in arrays that keep
 * DL4J's NCHW shape, so that DL4J's graph bookkeeping is unchanged.
 *
 * <p>Why: oneDNN's fastest convolutions on this CPU read and write NHWC, while DL4J hands NCHW to every layer,
 * so libnd4j reorders each activation in and out of every convolution, forward and backward. An activation can
 * stay channels-last wherever everything that reads it knows: {@link FastConvolution} and
 * {@link FastBatchNormalization} read and write either order, and elementwise vertices and activation layers do
 * not care. Everything else (pooling, dense layers, merges, channel selections, the network's outputs) gets NCHW,
 * converted by the batch norm or convolution that produces it.
 */
final class ChannelsLast {
    private ChannelsLast() {
    }

    /** Sets the layout flags of the convolutions and batch norms of {@code conf} (float CNNs on the CPU only). */
    static void plan(ComputationGraphConfiguration conf) {
        if (conf.getDataType() != DataType.FLOAT || !DnnlConvolution.available()) {
            return;
        }
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Map<String, List<String>> readers = new HashMap<>();
        inputs.forEach((v, ins) -> ins.forEach(in -> readers.computeIfAbsent(in, k -> new ArrayList<>()).add(v)));
        Set<String> converters = new HashSet<>();
        Set<String> agnostic = new HashSet<>();
        Map<String, Boolean> images = new HashMap<>();
        conf.getVertices().forEach((name, v) -> {
            if (isConverter(name, conf, images)) {
                converters.add(name);
            } else if (isAgnostic(v)) {
                agnostic.add(name);
            }
        });
        Set<String> last = new HashSet<>(converters);
        Set<String> outputs = new HashSet<>(conf.getNetworkOutputs());
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<String, Boolean> memo = new HashMap<>();
            for (String v : inputs.keySet()) {
                if (!holdsChannelsLast(v, last, agnostic, inputs, memo)) {
                    // an agnostic vertex with inputs in both orders: all of them in NCHW
                    if (agnostic.contains(v)) {
                        for (String in : inputs.get(v)) {
                            changed |= demote(in, last, agnostic, inputs);
                        }
                    }
                    continue;
                }
                boolean readable = !outputs.contains(v) && readers.getOrDefault(v, List.of()).stream()
                        .allMatch(r -> converters.contains(r) || agnostic.contains(r));
                if (!readable) {
                    changed |= demote(v, last, agnostic, inputs);
                }
            }
        }
        Map<String, Boolean> memo = new HashMap<>();
        for (String v : converters) {
            boolean in = holdsChannelsLast(inputs.get(v).get(0), last, agnostic, inputs, memo);
            boolean out = last.contains(v);
            Layer layer = ((LayerVertex) conf.getVertices().get(v)).getLayerConf().getLayer();
            if (layer instanceof FastConvolution c) {
                c.setInputChannelsLast(in);
                c.setOutputChannelsLast(out);
            } else if (layer instanceof FastBatchNormalization b) {
                b.setInputChannelsLast(in);
                b.setOutputChannelsLast(out);
            }
        }
    }

    /** True when vertex {@code v}'s output is channels-last: a converter's by decision, an agnostic one's by input. */
    private static boolean holdsChannelsLast(String v, Set<String> last, Set<String> agnostic,
                                             Map<String, List<String>> inputs, Map<String, Boolean> memo) {
        if (!agnostic.contains(v)) {
            return last.contains(v);
        }
        Boolean known = memo.get(v);
        if (known == null) {
            List<String> ins = inputs.get(v);
            known = !ins.isEmpty() && ins.stream().allMatch(in -> holdsChannelsLast(in, last, agnostic, inputs, memo));
            memo.put(v, known);
        }
        return known;
    }

    /** Makes {@code v}'s output NCHW: a converter's directly, an agnostic vertex's through its inputs. */
    private static boolean demote(String v, Set<String> last, Set<String> agnostic, Map<String, List<String>> inputs) {
        if (agnostic.contains(v)) {
            boolean changed = false;
            for (String in : inputs.get(v)) {
                changed |= demote(in, last, agnostic, inputs);
            }
            return changed;
        }
        return last.remove(v);
    }

    /** A one-input convolution, or batch norm of 4-d data, that our training-time layers compute in either order. */
    private static boolean isConverter(String name, ComputationGraphConfiguration conf, Map<String, Boolean> memo) {
        List<String> ins = conf.getVertexInputs().get(name);
        if (!(conf.getVertices().get(name) instanceof LayerVertex lv) || lv.getPreProcessor() != null
                || ins == null || ins.size() != 1) {
            return false;
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof FastConvolution c) {
            return !c.hasBias() && c.getActivationFn() instanceof ActivationIdentity && c.getIDropout() == null
                    && c.getWeightNoise() == null && Arrays.equals(c.getDilation(), new int[]{1, 1})
                    && c.getCnn2dDataFormat() == CNN2DFormat.NCHW
                    && (c.getConvolutionMode() == ConvolutionMode.Same
                    || c.getConvolutionMode() == ConvolutionMode.Truncate);
        }
        return layer instanceof FastBatchNormalization b && b.getCnn2DFormat() == CNN2DFormat.NCHW
                && !b.isLockGammaBeta() && b.getIDropout() == null && producesImages(ins.get(0), conf, memo);
    }

    /**
     * True when vertex {@code v} certainly outputs 4-d image data: a convolution or pooling layer, or a batch norm,
     * activation, elementwise or merge vertex over such data. Unknown vertices (and the network input) count as not.
     */
    private static boolean producesImages(String v, ComputationGraphConfiguration conf, Map<String, Boolean> memo) {
        Boolean known = memo.get(v);
        if (known != null) {
            return known;
        }
        GraphVertex vertex = conf.getVertices().get(v);
        List<String> ins = conf.getVertexInputs().getOrDefault(v, List.of());
        boolean images;
        if (vertex instanceof LayerVertex lv && lv.getPreProcessor() == null) {
            Layer layer = lv.getLayerConf().getLayer();
            images = layer instanceof ConvolutionLayer || layer instanceof SubsamplingLayer
                    || (layer instanceof BatchNormalization || layer instanceof ActivationLayer)
                    && allImages(ins, conf, memo);
        } else {
            images = (vertex instanceof ElementWiseVertex || vertex instanceof MergeVertex) && allImages(ins, conf, memo);
        }
        memo.put(v, images);
        return images;
    }

    private static boolean allImages(List<String> ins, ComputationGraphConfiguration conf, Map<String, Boolean> memo) {
        return !ins.isEmpty() && ins.stream().allMatch(in -> producesImages(in, conf, memo));
    }

    /** Elementwise vertices and activation layers: same values out as in, whatever the order. */
    private static boolean isAgnostic(GraphVertex v) {
        if (v instanceof ElementWiseVertex) {
            return true;
        }
        return v instanceof LayerVertex lv && lv.getPreProcessor() == null
                && lv.getLayerConf().getLayer() instanceof FastActivation a && a.getIDropout() == null;
    }
}
