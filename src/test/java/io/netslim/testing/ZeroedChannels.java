package io.netslim.testing;

import io.netslim.prune.DependencyGraph;
import io.netslim.prune.ChannelGroup;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

/** Dead channels made by hand: gamma and beta zeroed in every BN of a group, so removing them changes nothing. */
public final class ZeroedChannels {
    private ZeroedChannels() {
    }

    /**
     * Zeroes about one channel in {@code oneIn} of every group of {@code deps} (never all of a group) and returns
     * the plan's kept channels by group.
     */
    public static Map<String, int[]> zeroRandom(ComputationGraph g, DependencyGraph deps, Random rnd, int oneIn) {
        Map<String, int[]> keep = new LinkedHashMap<>();
        for (ChannelGroup group : deps.groups().values()) {
            int n = group.channels();
            List<Integer> removed = IntStream.range(0, n).filter(c -> rnd.nextInt(oneIn) == 0).boxed().toList();
            if (removed.size() == n) {
                removed = removed.subList(1, n);
            }
            for (String bn : group.batchNorms()) {
                for (int c : removed) {
                    g.getLayer(bn).getParam("gamma").putScalar(c, 0.0);
                    g.getLayer(bn).getParam("beta").putScalar(c, 0.0);
                }
            }
            List<Integer> gone = removed;
            keep.put(group.name(), IntStream.range(0, n).filter(c -> !gone.contains(c)).toArray());
        }
        return keep;
    }
}
