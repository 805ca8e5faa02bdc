package io.netslim.pipeline;

import io.netslim.artifacts.VerifiedModels;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.train.TrainingNetworks;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network sparsity training starts from: built from {@code model.arch}, or loaded from {@code model.init}
 * (a ModelSerializer ComputationGraph zip on any Hadoop FS) with its own architecture and weights, its output
 * layer replaced when its classes differ from the data's, and netslim's optimiser settings.
 */
public final class StartModel {
    private static final Logger LOG = LoggerFactory.getLogger(StartModel.class);

    private StartModel() {
    }

    /** True when the job starts from a model zip. */
    public static boolean isLoaded(JobConfig cfg) {
        return !cfg.model().init().isEmpty();
    }

    /** Where the first pass's weights come from, for the manifest's lineage. */
    public static String describe(JobConfig cfg) {
        return isLoaded(cfg) ? "model.init " + cfg.model().init()
                : "initialised from the config (train.seed " + cfg.train().seed() + ")";
    }

    /** The model.init network with stock layers and netslim's optimiser settings, checked against the data. */
    public static ComputationGraph load(JobConfig cfg, long[] shape, Configuration hadoop) {
        String uri = cfg.model().init();
        ComputationGraph loaded;
        try {
            loaded = VerifiedModels.read(uri, hadoop);
        } catch (RuntimeException e) {
            throw new ConfigException("model.init = '" + uri + "': expected a DL4J ModelSerializer zip of a "
                    + "ComputationGraph (" + e.getMessage() + ")");
        }
        ComputationGraph stock = TrainingNetworks.stock(loaded);
        LOG.info("model.init = {}: starting from its architecture and weights ({} parameters); model.arch '{}' and "
                + "model.depth are ignored", uri, stock.numParams(), cfg.model().arch());
        checkInput(stock, shape, uri);
        stock = withClasses(stock, cfg.model().classes(), uri);
        ComputationGraphConfiguration conf = TrainingNetworks.withOptimiser(stock.getConfiguration(), cfg.train());
        ComputationGraph start = new ComputationGraph(conf);
        start.init(stock.params().dup(), false);
        return start;
    }

    /** Refuses a model that does not take the data's images (one input, channels and size). */
    private static void checkInput(ComputationGraph g, long[] shape, String uri) {
        if (g.getConfiguration().getNetworkInputs().size() != 1 || g.getConfiguration().getNetworkOutputs().size() != 1) {
            throw new ConfigException("model.init = '" + uri + "': expected a network with one input and one output, got "
                    + g.getConfiguration().getNetworkInputs() + " and " + g.getConfiguration().getNetworkOutputs());
        }
        try {
            g.outputSingle(false, Nd4j.zeros(DataType.FLOAT, 1, shape[0], shape[1], shape[2]));
        } catch (RuntimeException e) {
            throw new ConfigException("model.init = '" + uri + "': the model does not take images of shape "
                    + shape[0] + "x" + shape[1] + "x" + shape[2] + " (" + e.getMessage() + ")");
        }
    }

    /** {@code g}, or a copy whose output layer has {@code classes} outputs (new weights) when it has another count. */
    private static ComputationGraph withClasses(ComputationGraph g, int classes, String uri) {
        String output = g.getConfiguration().getNetworkOutputs().get(0);
        GraphVertex v = g.getConfiguration().getVertices().get(output);
        if (!(v instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof BaseOutputLayer out)) {
            throw new ConfigException("model.init = '" + uri + "': its output " + output
                    + " is not an output layer with a loss, which training needs");
        }
        if (out.getNOut() == classes) {
            return g;
        }
        LOG.info("model.init: output layer {} has {} classes, the data {}: replaced by a new {}-class layer "
                + "(fresh weights)", output, out.getNOut(), classes, classes);
        return new TransferLearning.GraphBuilder(g).nOutReplace(output, classes, WeightInit.XAVIER).build();
    }
}
