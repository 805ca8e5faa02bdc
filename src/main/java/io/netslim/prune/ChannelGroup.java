package io.netslim.prune;

import java.util.List;

/**
 * Channels that live and die together: the output channels of one conv ({@code producer}), its BatchNorm
 * ({@code batchNorm}, whose gammas score them), the channel-preserving layers after it ({@code passThrough})
 * and the layers that read them as input channels ({@code consumers}).
 */
public record ChannelGroup(String batchNorm, String producer, List<String> passThrough, List<String> consumers,
                           int channels) {
}
