package io.netslim.prune;

import io.netslim.testing.TestNets;
import io.netslim.metrics.ModelStats;
import io.netslim.model.ChannelSelectVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torchvision's ResNet (post-activation): free groups inside blocks, coupled groups on each stage's trunk. */
class PostActivationResNetTest {
    private static final long[] SHAPE = {3, 32, 32};

    private static ComputationGraph resnet(int depth) {
        ComputationGraph g = TestNets.model("resnet", depth, SHAPE, 5);
        TestNets.randomiseBatchNorms(g, 8);
        return g;
    }

    @Test
    void withoutTrunkPruningOnlyBlockInternalBatchNormsPruneAndTheTrunkIsExplained() {
        ComputationGraph g = resnet(18);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), io.netslim.config.JobConfig.ChannelSelection.AUTO);
        // 8 basic blocks: bn1 of each is free (conv1 -> bn1 -> relu -> conv2)
        assertEquals(8, deps.groups().size(), deps.groups().keySet().toString());
        deps.groups().values().forEach(group -> {
            assertFalse(group.isCoupled());
            assertTrue(group.name().endsWith("_bn1"), group.name());
            assertEquals(List.of(group.name().replace("_bn1", "_conv2")), group.consumers());
        });
        // stem bn1, 8 x bn2 and 3 projection BNs feed residual additions: left, saying how to prune them
        assertEquals(1 + 8 + 3, deps.coupled().size(), deps.coupled().toString());
        String why = deps.coupled().get("layer2_1_bn2");
        assertTrue(why.contains("layer2_0_add") && why.contains("prune.channel-selection = true"), why);
    }

    @Test
    void withTrunkPruningEachStageIsOneCoupledGroupScoredByItsSummedGammas() {
        ComputationGraph g = resnet(18);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), true);
        assertTrue(deps.coupled().isEmpty(), deps.coupled().toString());
        List<ChannelGroup> coupled = deps.groups().values().stream().filter(ChannelGroup::isCoupled).toList();
        assertEquals(4, coupled.size());
        // stage 1: the stem's BN and both blocks' bn2 (identity shortcuts); stages 2-4: bn2s and the projection BN
        assertEquals(List.of("bn1", "layer1_0_bn2", "layer1_1_bn2"), coupled.get(0).batchNorms());
        assertEquals(List.of("conv1", "layer1_0_conv2", "layer1_1_conv2"), coupled.get(0).producers());
        assertEquals(List.of("layer2_0_bn2", "layer2_0_down_bn", "layer2_1_bn2"), coupled.get(1).batchNorms());
        assertEquals(List.of("layer1_0_conv1", "layer1_1_conv1", "layer2_0_conv1", "layer2_0_down"),
                coupled.get(0).consumers());
        assertEquals(List.of("fc"), coupled.get(3).consumers().subList(coupled.get(3).consumers().size() - 1,
                coupled.get(3).consumers().size()));

        ChannelGroup stage2 = coupled.get(1);
        double[] expected = new double[stage2.channels()];
        for (String bn : stage2.batchNorms()) {
            double[] gamma = g.getLayer(bn).getParam("gamma").castTo(DataType.DOUBLE).toDoubleVector();
            for (int i = 0; i < expected.length; i++) {
                expected[i] += Math.abs(gamma[i]);
            }
        }
        assertArrayEquals(expected, new BnScaleImportance().score(g, stage2), 1e-9);
    }

    @Test
    void zeroedChannelsOfCoupledAndFreeGroupsPruneExactlyIntoAStockModel() {
        for (int depth : new int[] {18, 50}) {
            ComputationGraph original = resnet(depth);
            DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
            Map<String, int[]> keep = new LinkedHashMap<>();
            int g = 0;
            for (ChannelGroup group : deps.groups().values()) {
                int n = group.channels();
                List<Integer> removed = List.of(g % 3, n / 2, n - 1 - g % 2);
                for (String bn : group.batchNorms()) {
                    for (int c : removed) {
                        original.getLayer(bn).getParam("gamma").putScalar(c, 0.0);
                        original.getLayer(bn).getParam("beta").putScalar(c, 0.0);
                    }
                }
                keep.put(group.name(), IntStream.range(0, n).filter(c -> !removed.contains(c)).toArray());
                g++;
            }
            ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, List.of()));
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
            double diff = original.outputSingle(false, x).sub(pruned.outputSingle(false, x))
                    .amaxNumber().doubleValue();
            assertTrue(diff < 1e-4, "resnet-" + depth + ": max abs difference " + diff);
            // the trunk itself is narrower, and the model has stock DL4J vertices only
            assertEquals(61, ModelStats.of(pruned, SHAPE).layer("layer1_0_conv1").channelsIn());
            assertTrue(pruned.getConfiguration().getVertices().values().stream()
                    .noneMatch(v -> v instanceof ChannelSelectVertex));
            assertTrue(ModelStats.of(pruned, SHAPE).params() < ModelStats.of(original, SHAPE).params());
        }
    }

    @Test
    void pruningLiveTrunkChannelsChangesOutputs() {
        // control for the exactness above: removing a trunk channel whose gammas are not zero is visible
        ComputationGraph original = resnet(18);
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
        ChannelGroup stage1 = deps.groups().get("bn1");
        Map<String, int[]> keep = Map.of("bn1", IntStream.range(1, stage1.channels()).toArray());
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, List.of()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        assertTrue(original.outputSingle(false, x).sub(pruned.outputSingle(false, x)).amaxNumber().doubleValue() > 1e-4);
    }
}
