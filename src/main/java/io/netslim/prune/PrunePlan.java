package io.netslim.prune;

import java.util.List;
import java.util.Map;

/**
 * Which channels survive: for each pruned group (by BatchNorm name) the kept channel indices, ascending.
 * {@code notes} say where a rule overrode the threshold (e.g. a layer kept its minimum).
 */
public record PrunePlan(double ratio, double threshold, Map<String, int[]> keep, List<String> notes) {
    /** Channels removed in all groups. */
    public int removedChannels(DependencyGraph graph) {
        return keep.entrySet().stream()
                .mapToInt(e -> graph.groups().get(e.getKey()).channels() - e.getValue().length).sum();
    }
}
