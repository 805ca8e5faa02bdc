package io.netslim.prune;

import java.util.List;

/**
 * Channels that live and die together, scored by the gammas of their BatchNorms. Either the channels come from
 * convs ({@code producers}) whose filters can go: one conv and its BN (a free group), or several whose outputs
 * meet in residual additions, each through its own BN (a coupled group: the same indices go in every member,
 * scored by the summed |gamma|). Or one BN reads channels that must stay for other readers (a pre-activation
 * trunk, a concatenation): it reads them through a channel selection ({@code selector}: the existing selection
 * vertex, or null when surgery inserts one) and only its own path shrinks. In every case the BNs, the
 * channel-preserving layers on the way ({@code passThrough}) and the input channels of the {@code consumers}
 * shrink. {@code name} is the first BN's name, the group's key in a {@link PrunePlan}.
 */
public record ChannelGroup(String name, List<String> batchNorms, List<String> producers, String selector,
                           List<String> passThrough, List<String> consumers, int channels) {
    public ChannelGroup {
        batchNorms = List.copyOf(batchNorms);
        producers = List.copyOf(producers);
        passThrough = List.copyOf(passThrough);
        consumers = List.copyOf(consumers);
    }

    /** The first (for most groups the only) BatchNorm. */
    public String batchNorm() {
        return batchNorms.get(0);
    }

    /** The first producing conv, or null for a group pruned through a selection. */
    public String producer() {
        return producers.isEmpty() ? null : producers.get(0);
    }

    /** True when the channels are chosen by a selection in front of the BN, not removed at their producer. */
    public boolean bySelection() {
        return producers.isEmpty();
    }

    /** True for a group of several BNs (or convs) joined by residual additions. */
    public boolean isCoupled() {
        return batchNorms.size() > 1 || producers.size() > 1;
    }
}
