package io.netslim.prune;

import org.deeplearning4j.nn.graph.ComputationGraph;

/** Scores the channels of a group: a higher score means more important. */
public interface Importance {
    double[] score(ComputationGraph graph, ChannelGroup group);
}
