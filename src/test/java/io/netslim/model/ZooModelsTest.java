package io.netslim.model;

import io.netslim.prune.NetworkSurgeon;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.PrunePlan;
import io.netslim.prune.ChannelGroup;
import io.netslim.testing.ZeroedChannels;
import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.train.TrainingDefaults;
import io.netslim.train.TrainingKernels;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models we did not write: every DL4J zoo model with BatchNorms, analysed from its graph alone (zoo layer names,
 * zoo layouts), pruned exactly, or refused with the vertex and the reason.
 */
class ZooModelsTest {
    /** Zoo networks are large: let ND4J free each one's off-heap buffers before the next is built. */
    @org.junit.jupiter.api.AfterEach
    void release() {
        System.gc();
    }

    @ParameterizedTest
    @CsvSource({"ResNet50,3,96,4", "Darknet19,3,64,0", "TinyYOLO,3,64,0", "YOLO2,3,64,0",
            "FaceNetNN4Small2,3,96,0", "InceptionResNetV1,3,160,0", "Xception,3,71,4", "SimpleCNN,3,32,0"})
    void zeroedChannelsPruneExactly(String name, long channels, long size, int coupledGroups) throws Exception {
        ComputationGraph original = TestNets.zoo(name, new long[] {channels, size, size});
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
        assertFalse(deps.groups().isEmpty(), name);
        assertEquals(coupledGroups, deps.groups().values().stream().filter(ChannelGroup::isCoupled).count(), name);
        Map<String, int[]> keep = ZeroedChannels.zeroRandom(original, deps, new Random(size), 4);
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, List.of()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, channels, size, size);
        INDArray expected = original.outputSingle(false, x);
        INDArray actual = pruned.outputSingle(false, x);
        assertFalse(expected.isNaN().any() || expected.isInfinite().any(), name + ": the original's outputs are not finite");
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        double diff = expected.sub(actual).amaxNumber().doubleValue() / scale;
        assertTrue(diff < 1e-4, name + ": max relative difference " + diff);
        assertTrue(pruned.numParams() < original.numParams(), name);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(pruned, bytes, false);
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                false);
        assertEquals(actual, loaded.outputSingle(false, x));
    }

    /** One zoo model with each of train.kernels' layer implementations (the penalty in the Java batch norm or DL4J's). */
    @ParameterizedTest
    @CsvSource({"ResNet50,96,CPU", "Darknet19,64,PORTABLE"})
    void zooModelsTrainWithTheSparsityPenalty(String name, long size, TrainingKernels kernels) {
        var cfg = TestNets.config("model.arch=\"zoo:" + name + "\"", "model.input-shape=\"3x" + size + "x" + size + "\"",
                "sparsity.lambda=0.01");
        ComputationGraph net = io.netslim.pipeline.Networks.forTraining(cfg, cfg.model().inputShape(),
                cfg.sparsityLambda(), kernels);
        assertEquals(kernels == TrainingKernels.CPU, net.getConfiguration().toJson().contains("FastBatchNormalization"),
                name + " with " + kernels);
        String bn = deps(net).groups().keySet().iterator().next();
        INDArray before = net.getLayer(bn).getParam("gamma").dup();
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, size, size);
        net.fit(new org.nd4j.linalg.dataset.DataSet(x, Nd4j.eye(10).getRows(0, 3).castTo(DataType.FLOAT)));
        assertTrue(Double.isFinite(net.score()), name);
        assertFalse(before.equals(net.getLayer(bn).getParam("gamma")), name + ": gammas did not move");
    }

    private static DependencyGraph deps(ComputationGraph net) {
        return DependencyGraph.of(io.netslim.train.TrainingNetworks.stock(net.getConfiguration()), false);
    }

    @Test
    void whatCannotBePrunedIsNamedWithItsVertexAndReason() {
        ComputationGraph yolo = TestNets.zoo("YOLO2", new long[] {3, 64, 64});
        DependencyGraph deps = DependencyGraph.of(yolo.getConfiguration(), true);
        assertEquals("its channels reach concatenate_21 (MergeVertex): netslim cannot prune through a MergeVertex",
                deps.coupled().get("batchnormalization_20"));
        assertTrue(deps.coupled().get("batchnormalization_21").contains("rearrange_21 (SpaceToDepthLayer)"));
        ComputationGraph facenet = TestNets.zoo("FaceNetNN4Small2", new long[] {3, 96, 96});
        assertTrue(DependencyGraph.of(facenet.getConfiguration(), true).coupled().get("stem-batch1")
                .contains("stem-lrn1 (LocalResponseNormalization): netslim has no pruner"));
    }

    @Test
    void zooModelsThatCannotBeBuiltOrAreNotImageModelsAreRefusedAsConfigErrors() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> ModelRegistry.get("zoo:ResNet51", 0));
        assertTrue(unknown.getMessage().contains("ResNet50"), unknown.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ModelRegistry.get("zoo:TextGenerationLSTM", 0))
                .getMessage().contains("zoo:"));
        // DL4J's own NASNet configuration does not build in this version: said so, not a stack trace
        ModelSpec spec = new ModelSpec("zoo:NASNet", 0, 10, new long[] {3, 64, 64}, 0.5);
        ConfigException nasnet = assertThrows(ConfigException.class, () -> ModelRegistry.get("zoo:NASNet", 0)
                .build(spec, TrainingDefaults.sgd(0.1, 0.9, false, 1e-4, 3)));
        assertTrue(nasnet.getMessage().contains("DL4J cannot build it"), nasnet.getMessage());
        // a zoo network without BatchNorms (LeNet, a MultiLayerNetwork in the zoo) is refused before any training
        var cfg = TestNets.config("model.arch=\"zoo:LeNet\"", "model.input-shape=\"1x28x28\"");
        var lenet = io.netslim.pipeline.Networks.plain(cfg, cfg.model().inputShape());
        ConfigException none = assertThrows(ConfigException.class,
                () -> io.netslim.pipeline.Preflight.checkPrunable(lenet, cfg, cfg.model().inputShape()));
        assertTrue(none.getMessage().contains("model.arch = 'zoo:LeNet': nothing to prune"), none.getMessage());
    }
}
