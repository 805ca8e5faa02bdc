package io.netslim.model;

import io.netslim.prune.NetworkSurgeon;
import io.netslim.prune.DependencyGraph;
import io.netslim.prune.PrunePlan;
import io.netslim.prune.BnScaleImportance;
import io.netslim.prune.GlobalThreshold;
import io.netslim.testing.ZeroedChannels;
import io.netslim.testing.TestNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact surgery, extreme ratios and save/reload for every model family. */
class ModelFamiliesTest {
    @ParameterizedTest
    @CsvSource({"preresnet-basic,8", "preresnet-bottleneck,11", "vgg,11", "densenet,10", "resnet,18", "vgg-bn,11"})
    void zeroedChannelsPruneExactlyIncludingSelectedOnes(String arch, int depth) throws Exception {
        ComputationGraph original = TestNets.family(arch, depth);
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
        Map<String, int[]> keep = ZeroedChannels.zeroRandom(original, deps, new Random(depth), 3);
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, List.of()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        double diff = original.outputSingle(false, x).sub(pruned.outputSingle(false, x)).amaxNumber().doubleValue();
        assertTrue(diff < 1e-4, arch + ": max abs difference " + diff);
        assertTrue(pruned.numParams() < original.numParams());
        if (arch.startsWith("preresnet") || arch.equals("densenet")) {
            // Residual trunks and concatenations are read through channel selections.
            assertTrue(pruned.getConfiguration().getVertices().values().stream()
                    .anyMatch(v -> v instanceof ChannelSelectVertex), arch);
        }
        assertReloadsIdentically(pruned, x);
    }

    @ParameterizedTest
    @CsvSource({"preresnet-basic,8", "preresnet-bottleneck,11", "vgg,11", "densenet,10", "resnet,18", "vgg-bn,11"})
    void highRatioKeepsMinimumChannelsAndAWorkingNetwork(String arch, int depth) throws Exception {
        ComputationGraph original = TestNets.family(arch, depth);
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
        PrunePlan plan = new GlobalThreshold(0.9, 2).plan(original, deps, new BnScaleImportance());
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, plan);
        plan.keep().values().forEach(k -> assertTrue(k.length >= 2));
        assertTrue(plan.removedChannels(deps) > 0);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 16, 16);
        INDArray out = pruned.outputSingle(false, x);
        assertEquals(2, out.size(0));
        assertEquals(10, out.size(1));
        assertEquals(2.0, out.sumNumber().doubleValue(), 1e-4); // softmax rows
        // and it still trains one step
        pruned.fit(new org.nd4j.linalg.dataset.DataSet(x, Nd4j.eye(10).getRows(0, 1).castTo(DataType.FLOAT)));
        assertTrue(Double.isFinite(pruned.score()));
        assertReloadsIdentically(pruned, x);
        // pruning the pruned network again (a second slimming pass) composes the selections
        DependencyGraph again = DependencyGraph.of(pruned.getConfiguration(), true);
        PrunePlan second = new GlobalThreshold(0.3, 1).plan(pruned, again, new BnScaleImportance());
        ComputationGraph twice = NetworkSurgeon.prune(pruned, again, second);
        assertTrue(twice.numParams() <= pruned.numParams());
        assertEquals(10, twice.outputSingle(false, x).size(1));
    }

    private static void assertReloadsIdentically(ComputationGraph g, INDArray x) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(g, bytes, false);
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), false);
        assertEquals(g.outputSingle(false, x), loaded.outputSingle(false, x));
    }
}
