package io.netslim.model;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Channel selection (the reference implementation's {@code channel_selection} layer): passes on only the
 * listed input channels, in order. Pruning inserts it where a BatchNorm reads channels it cannot remove
 * from their producer (a residual trunk, a concatenation), so that the BN and the convs after it shrink.
 * No parameters. It is netslim's own vertex: a model containing it needs netslim on the classpath to load
 * (it serialises with the model's JSON configuration like any DL4J vertex).
 */
public class ChannelSelectVertex extends GraphVertex {
    private int[] channels;

    /** For JSON deserialisation. */
    public ChannelSelectVertex() {
    }

    /** @param channels kept input channel indices, ascending */
    public ChannelSelectVertex(int[] channels) {
        this.channels = channels.clone();
    }

    public int[] getChannels() {
        return channels.clone();
    }

    @Override
    public ChannelSelectVertex clone() {
        return new ChannelSelectVertex(channels);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelSelectVertex other && Arrays.equals(channels, other.channels);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(channels);
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new ChannelSelect(graph, name, idx, channels, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... inputs) throws InvalidInputTypeException {
        InputType in = inputs[0];
        if (in instanceof InputType.InputTypeConvolutional conv) {
            if (channels.length > 0 && channels[channels.length - 1] >= conv.getChannels()) {
                throw new InvalidInputTypeException("channel selection of channel " + channels[channels.length - 1]
                        + " from an input with " + conv.getChannels() + " channels");
            }
            return InputType.convolutional(conv.getHeight(), conv.getWidth(), channels.length, conv.getFormat());
        }
        if (in instanceof InputType.InputTypeFeedForward) {
            return InputType.feedForward(channels.length);
        }
        throw new InvalidInputTypeException("channel selection needs CNN or feed-forward input, got " + in);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, ChannelSelectVertex.class, inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
