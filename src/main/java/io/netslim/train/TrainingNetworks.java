package io.netslim.train;

import io.netslim.config.JobConfig;
import io.netslim.cpu.FastBatchNormalization;
import io.netslim.cpu.TrainingLayers;
import io.netslim.model.Retraining;
import io.netslim.model.layers.LayerSwap;
import io.netslim.sparsity.L1Penalty;
import io.netslim.sparsity.PenalisedGamma;
import io.netslim.sparsity.SparseBatchNormalization;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The one owner of a network's training life: a stock network made ready to train (the job's optimiser on every
 * layer, the sparsity penalty or fine-tuning's batch-norm decay, the layers of the chosen {@link TrainingKernels})
 * and a training network turned back into stock DL4J layers and updaters, as saved models, pruning and export expect.
 * For {@link TrainingKernels#PORTABLE} nothing here touches a CPU kernel class, so none is loaded.
 */
public final class TrainingNetworks {
    private TrainingNetworks() {
    }

    /**
     * {@code conf} (any layers: stock, or an earlier training network's) ready for sparsity training with
     * {@code kernels}: back to stock, the optimiser of {@code train} on every layer (a saved model carries a stock
     * updater) and L1(lambda) on every batch norm's gamma, with {@code train}'s weight decay on gamma and beta.
     */
    public static ComputationGraphConfiguration forSparsityTraining(ComputationGraphConfiguration conf,
                                                                    JobConfig.TrainConfig train, double lambda,
                                                                    TrainingKernels kernels) {
        L1Penalty penalty = new L1Penalty(lambda, train.weightDecay());
        return withKernels(penalty.onEveryBatchNorm(withOptimiser(stock(conf), train)), kernels);
    }

    /** The same network and weights (copied) ready for sparsity training ({@link #forSparsityTraining}). */
    public static ComputationGraph forSparsityTraining(ComputationGraph graph, JobConfig.TrainConfig train,
                                                       double lambda, TrainingKernels kernels) {
        ComputationGraph next = new ComputationGraph(forSparsityTraining(graph.getConfiguration(), train, lambda,
                kernels));
        next.init(graph.params().dup(), false);
        return next;
    }

    /**
     * A twin of {@code stock} (stock layers, perhaps the penalty) that shares its parameter array, so that fitting
     * the twin trains {@code stock} in place, with {@code kernels} (its own optimiser state, learning rate and
     * listeners) and the optimiser of {@code train} (updater, weight decay; a saved model carries a stock
     * updater), its stock batch norms' gamma and beta decayed as in sparsity training.
     */
    public static ComputationGraph fineTuningTwin(ComputationGraph stock, JobConfig.TrainConfig train,
                                                  TrainingKernels kernels) {
        L1Penalty decayOnly = new L1Penalty(0, train.weightDecay());
        ComputationGraphConfiguration conf = withKernels(
                decayOnly.onStockBatchNorms(withOptimiser(stock.getConfiguration(), train)), kernels);
        ComputationGraph twin = new ComputationGraph(conf);
        twin.init(stock.params(), false);
        return twin;
    }

    /**
     * A copy of {@code conf} with the optimiser of {@code train} on every layer (updater and learning rate, weight
     * decay on weights and none on biases): a network netslim did not build, or a saved one, trains as configured.
     */
    public static ComputationGraphConfiguration withOptimiser(ComputationGraphConfiguration conf,
                                                              JobConfig.TrainConfig train) {
        return Retraining.apply(conf.clone(), TrainingDefaults.sgd(train));
    }

    /**
     * {@code conf} (stock layers, the penalty as {@link SparseBatchNormalization}) ready to train with
     * {@code kernels}: unchanged for {@link TrainingKernels#PORTABLE}; netslim's training-time layers for
     * {@link TrainingKernels#CPU}, where the Java batch norm adds the same penalty's L1 sub-gradient itself.
     */
    public static ComputationGraphConfiguration withKernels(ComputationGraphConfiguration conf,
                                                            TrainingKernels kernels) {
        return kernels == TrainingKernels.PORTABLE ? conf : Cpu.forTraining(conf);
    }

    /**
     * A copy of {@code conf} with stock DL4J layers and updaters only (the penalty and training-time layers alike;
     * plain momentum as DL4J's Nesterov updater), so that plain DL4J loads the saved model.
     */
    public static ComputationGraphConfiguration stock(ComputationGraphConfiguration conf) {
        return LayerSwap.replace(conf, LayerSwap::stock);
    }

    /** The same network with stock layers only ({@link #stock(ComputationGraphConfiguration)}), sharing no state. */
    public static ComputationGraph stock(ComputationGraph graph) {
        ComputationGraph stock = new ComputationGraph(stock(graph.getConfiguration()));
        stock.init(graph.params().dup(), false);
        return stock;
    }

    /** The L1 coefficient on gamma of {@code conf}'s batch norms, whichever kernels carry it (0 when none does). */
    public static double lambdaOf(ComputationGraphConfiguration conf) {
        return conf.getVertices().values().stream()
                .filter(v -> v instanceof LayerVertex)
                .mapToDouble(v -> ((LayerVertex) v).getLayerConf().getLayer() instanceof PenalisedGamma p
                        ? p.penalty().lambda() : 0)
                .filter(l -> l > 0).findFirst().orElse(0);
    }

    /**
     * Everything that names a CPU kernel class, apart: the JVM's verifier loads the classes a method's code
     * assigns to one another, so this code must not sit in a class that portable training links.
     */
    private static final class Cpu {
        static ComputationGraphConfiguration forTraining(ComputationGraphConfiguration conf) {
            return TrainingLayers.apply(LayerSwap.replace(conf, Cpu::fast));
        }

        /** The penalty's batch norm as a training-time one that applies the same penalty itself. */
        private static Layer fast(Layer layer) {
            if (!(layer instanceof SparseBatchNormalization sparse)) {
                return layer;
            }
            FastBatchNormalization fast = LayerSwap.copyFields(sparse, new FastBatchNormalization(),
                    BatchNormalization.class);
            fast.setPenalty(sparse.penalty());
            return fast;
        }
    }
}
