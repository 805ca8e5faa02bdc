package io.netslim.export;

import io.netslim.model.ChannelSelectVertex;

import java.util.Arrays;

/** netslim's channel selection (pruned trunks and concatenations) as ONNX Gather of the kept channels. */
final class ChannelSelectConverter implements VertexConverter {
    @Override
    public String convert(Vertex v, OnnxGraph g) {
        long[] channels = Arrays.stream(((ChannelSelectVertex) v.conf()).getChannels()).asLongStream().toArray();
        g.node("Gather", v.name(), v.input(0), g.int64(v.name() + ".channels", channels, channels.length))
                .addAttribute(OnnxGraph.integer("axis", 1));
        return v.name();
    }
}
