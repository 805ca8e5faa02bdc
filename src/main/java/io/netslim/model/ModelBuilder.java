package io.netslim.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;

import java.util.Optional;

/** Builds one architecture family as a DL4J ComputationGraph configuration of stock layers. */
public interface ModelBuilder {
    /** The registry name, as written in {@code model.arch}. */
    String name();

    /** One line for {@code inspect --list}: what the family is and the depths it takes. */
    String description();

    /** Why {@code depth} does not fit this architecture, or empty when it does. */
    Optional<String> checkDepth(int depth);

    /**
     * Builds the network. {@code defaults} carries what the caller decides about training (updater,
     * regularisation, seed); the builder only adds the layers.
     */
    ComputationGraphConfiguration build(ModelSpec spec, NeuralNetConfiguration.Builder defaults);
}
