package io.netslim.pipeline;

import io.netslim.config.JobConfig;
import io.netslim.model.ModelRegistry;
import io.netslim.model.ModelSpec;
import io.netslim.train.TrainingDefaults;
import io.netslim.train.TrainingKernels;
import io.netslim.train.TrainingNetworks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Creates the configured network: plain (for inspection), or ready for sparsity training
 * ({@link TrainingNetworks}).
 */
public final class Networks {
    private Networks() {
    }

    /** The configured architecture with stock layers and the training optimiser settings. */
    public static ComputationGraphConfiguration plain(JobConfig cfg, long[] inputShape) {
        ModelSpec spec = new ModelSpec(cfg.model().arch(), cfg.model().depth(), cfg.model().classes(), inputShape,
                cfg.model().gammaInit());
        JobConfig.TrainConfig t = cfg.train();
        return ModelRegistry.get(spec.arch(), spec.depth())
                .build(spec, TrainingDefaults.sgd(t));
    }

    /** The configured network, initialised, with stock layers. */
    public static ComputationGraph initialised(JobConfig cfg, long[] inputShape) {
        ComputationGraph graph = new ComputationGraph(plain(cfg, inputShape));
        graph.init();
        return graph;
    }

    /**
     * The configured network, initialised, with the L1 penalty on every BN gamma, for training on this JVM
     * ({@code train.kernels} resolved for its ND4J backend).
     */
    public static ComputationGraph forSparsityTraining(JobConfig cfg, long[] inputShape) {
        return forTraining(cfg, inputShape, cfg.sparsityLambda(), TrainingKernels.here(cfg.train().kernels()).kernels());
    }

    /** The configured network, initialised, with L1(lambda) on every BN gamma, for training with {@code kernels}. */
    public static ComputationGraph forTraining(JobConfig cfg, long[] inputShape, double lambda,
                                               TrainingKernels kernels) {
        ComputationGraph graph = new ComputationGraph(TrainingNetworks.forSparsityTraining(plain(cfg, inputShape),
                cfg.train(), lambda, kernels));
        graph.init();
        return graph;
    }
}
