package io.netslim.metrics;

/** One weighted layer: its channels in and out, trainable parameters and FLOPs for one image. */
public record LayerStats(String name, String type, long channelsIn, long channelsOut, long params, long flops) {
}
