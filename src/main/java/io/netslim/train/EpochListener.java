package io.netslim.train;

import io.netslim.metrics.EpochMetrics;

/** Told about every finished epoch (the pipeline writes metrics.jsonl from it, so a run can be watched live). */
@FunctionalInterface
public interface EpochListener {
    /** {@code net} is the network as it stands after the epoch (do not train it). */
    void onEpoch(EpochMetrics metrics, org.deeplearning4j.nn.graph.ComputationGraph net);

    /** Listens to nothing. */
    EpochListener NONE = (m, net) -> { };
}
