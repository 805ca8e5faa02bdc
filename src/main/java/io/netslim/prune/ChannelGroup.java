package io.netslim.prune;

import java.util.List;

/**
 * Channels that live and die together, scored by the gammas of one BatchNorm ({@code batchNorm}).
 * Either the BN's input is a conv whose outputs nothing else reads ({@code producer}: its filters are
 * removed), or the BN reads channels that must stay for other readers (a residual trunk, a concatenation):
 * then the BN reads them through a channel selection ({@code selector}: the existing selection vertex, or
 * null when surgery has to insert one) and only this path shrinks. Either way the BN, the channel-preserving
 * layers after it ({@code passThrough}) and the input channels of the {@code consumers} shrink.
 */
public record ChannelGroup(String batchNorm, String producer, String selector, List<String> passThrough,
                           List<String> consumers, int channels) {
    /** True when the channels are chosen by a selection in front of the BN, not removed at their producer. */
    public boolean bySelection() {
        return producer == null;
    }
}
