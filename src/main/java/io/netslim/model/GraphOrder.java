package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one topological order of a ComputationGraph configuration, so that the dependency graph and the counts
 * walk its vertices alike: inputs first, then every vertex once all its inputs are placed, in configuration order.
 */
public final class GraphOrder {
    private GraphOrder() {
    }

    /** Vertex names of {@code conf} in topological order (the network inputs themselves are not listed). */
    public static List<String> of(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        List<String> order = new ArrayList<>();
        Set<String> done = new LinkedHashSet<>(conf.getNetworkInputs());
        List<String> pending = new ArrayList<>(conf.getVertices().keySet());
        boolean progress = true;
        while (!pending.isEmpty() && progress) {
            progress = false;
            for (var it = pending.iterator(); it.hasNext(); ) {
                String v = it.next();
                if (done.containsAll(inputs.getOrDefault(v, List.of()))) {
                    order.add(v);
                    done.add(v);
                    it.remove();
                    progress = true;
                }
            }
        }
        return order;
    }
}
