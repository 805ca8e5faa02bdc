package io.netslim.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The training networks an executor JVM keeps between averaging rounds, so that a round costs a copy of the
 * averaged state into a network rather than the build of a new one (DL4J's master rebuilds every worker's network
 * every round). A replica carries nothing of its own: every task writes the whole averaged state (parameters,
 * updater state) into the one it borrows, so any replica of the same configuration serves any worker, and a task
 * that finds none builds one. Networks of another configuration (the next epoch's learning rate, another run)
 * are dropped when a new one is asked for: at most one configuration is kept, with as many networks as tasks ran
 * at once.
 */
final class ReplicaPool {
    private static String key;
    private static final Deque<ComputationGraph> FREE = new ArrayDeque<>();
    private static int built;

    private ReplicaPool() {
    }

    /** A borrowed network and whether this call built it. */
    record Borrowed(ComputationGraph net, boolean built) {
    }

    /** A network of configuration {@code json} ({@code key} names it), reused or built. */
    static Borrowed borrow(String key, String json) {
        synchronized (ReplicaPool.class) {
            if (!key.equals(ReplicaPool.key)) {
                FREE.clear();
                ReplicaPool.key = key;
            }
            ComputationGraph net = FREE.pollFirst();
            if (net != null) {
                return new Borrowed(net, false);
            }
            built++;
        }
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(json);
        ComputationGraph net = new ComputationGraph(conf);
        net.init(); // its random parameters are overwritten by the averaged state before it trains
        return new Borrowed(net, true);
    }

    /** Hands {@code net} back for the next task of the same configuration. */
    static void giveBack(String key, ComputationGraph net) {
        synchronized (ReplicaPool.class) {
            if (key.equals(ReplicaPool.key)) {
                net.clearLayersStates();
                FREE.addFirst(net);
            }
        }
    }

    /** Networks built in this JVM so far (tests: replicas persist between rounds). */
    static synchronized int built() {
        return built;
    }

    /** Drops every kept network (the end of sparsity training). */
    static synchronized void clear() {
        FREE.clear();
        key = null;
    }
}
