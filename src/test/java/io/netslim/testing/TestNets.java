package io.netslim.testing;

import io.netslim.config.ConfigLoader;
import io.netslim.config.JobConfig;
import io.netslim.config.JobConfigReader;
import io.netslim.model.ModelRegistry;
import io.netslim.model.ModelSpec;
import io.netslim.train.TrainingDefaults;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

/** Small real networks and configs for tests. */
public final class TestNets {
    private TestNets() {
    }

    /** A stock pre-activation ResNet of the given depth for 1 x size x size inputs. */
    public static ComputationGraph preResNet(int depth, int size, long seed) {
        return model("preresnet", depth, new long[] {1, size, size}, seed);
    }

    /** A stock, initialised network of the registry for inputs of the given shape (C, H, W), 10 classes. */
    public static ComputationGraph model(String arch, int depth, long[] shape, long seed) {
        ModelSpec spec = new ModelSpec(arch, depth, 10, shape, 0.5);
        ComputationGraph g = new ComputationGraph(ModelRegistry.get(arch, depth)
                .build(spec, TrainingDefaults.sgd(0.1, 0.9, false, 1e-4, seed)));
        g.init();
        return g;
    }

    /** A network of every family test (3 x 16 x 16 inputs, 10 classes), its BatchNorms randomised so none is trivially zero. */
    public static ComputationGraph family(String arch, int depth) {
        ComputationGraph g = model(arch, depth, new long[] {3, 16, 16}, 17);
        randomiseBatchNorms(g, 23);
        return g;
    }

    /** A DL4J zoo network for inputs of the given shape, 10 classes, randomised BatchNorms with small scales. */
    public static ComputationGraph zoo(String name, long[] shape) {
        ComputationGraph g = model("zoo:" + name, 0, shape, 3);
        randomiseBatchNorms(g, 19);
        // random scales over 16 residual blocks (ResNet50) or many merges would overflow a softmax: keep them small
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization) {
                l.getParam("gamma").muli(0.5);
            }
        }
        return g;
    }

    /** Gives every BN random scale, shift and running statistics, so no channel is trivially zero. */
    public static void randomiseBatchNorms(ComputationGraph g, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (org.deeplearning4j.nn.api.Layer layer : g.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                    INDArray v = p.getValue();
                    switch (p.getKey()) {
                        case "gamma", "var" -> v.assign(Nd4j.rand(v.dataType(), v.shape()).addi(0.5));
                        case "beta", "mean" -> v.assign(Nd4j.randn(v.dataType(), v.shape()).muli(0.3));
                        default -> v.assign(Nd4j.randn(v.dataType(), v.shape()).muli(0.1));
                    }
                }
            }
        }
    }

    /** A job config from reference.conf plus overrides. */
    public static JobConfig config(String... overrides) {
        return JobConfigReader.read(ConfigLoader.load(null, List.of(overrides)));
    }

    /** Where the Fashion-MNIST IDX files are (Debian's dataset-fashion-mnist). */
    public static String fashionMnist() {
        return System.getProperty("netslim.fashion.dir", "/usr/share/datasets/fashion-mnist");
    }
}
