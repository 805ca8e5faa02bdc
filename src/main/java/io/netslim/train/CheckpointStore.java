package io.netslim.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Optional;

/** Where sparsity training saves its checkpoints and finds the newest valid one (the run's output keeps them). */
public interface CheckpointStore {
    /** Saves the network (with updater state) and the position training continues from. */
    void save(ComputationGraph net, TrainingPosition next);

    /** The newest checkpoint that reads back intact; damaged ones are skipped. */
    Optional<Checkpoint> latest();

    /** A restored checkpoint. */
    record Checkpoint(ComputationGraph net, TrainingPosition next, String name) {
    }

    /** Keeps nothing: training from scratch, no resumption. */
    CheckpointStore NONE = new CheckpointStore() {
        @Override
        public void save(ComputationGraph net, TrainingPosition next) {
        }

        @Override
        public Optional<Checkpoint> latest() {
            return Optional.empty();
        }
    };
}
