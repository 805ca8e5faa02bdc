package io.netslim.prune;

import io.netslim.testing.TestNets;
import io.netslim.metrics.ModelStats;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SurgeryTest {
    private static final long[] SHAPE = {1, 12, 12};

    @Test
    void pruningZeroedChannelsKeepsOutputsAndDropsTheParamsCountedByHand() {
        ComputationGraph original = TestNets.preResNet(14, 12, 7);
        TestNets.randomiseBatchNorms(original, 11);
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);

        // Zero gamma and beta of a different set of channels in every prunable BN: block-internal ones
        // (their conv shrinks) and trunk-reading ones (read through a channel selection).
        assertTrue(deps.groups().values().stream().anyMatch(ChannelGroup::bySelection));
        Map<String, int[]> keep = new LinkedHashMap<>();
        Map<String, Long> outRemoved = new java.util.HashMap<>();
        Map<String, Long> inRemoved = new java.util.HashMap<>();
        long expectedDrop = 0;
        int g = 0;
        for (ChannelGroup group : deps.groups().values()) {
            int n = group.channels();
            int first = g % 3;
            List<Integer> removed = List.of(first, first + 4, n - 1 - g % 2);
            INDArray gamma = original.getLayer(group.batchNorm()).getParam("gamma");
            INDArray beta = original.getLayer(group.batchNorm()).getParam("beta");
            for (int c : removed) {
                gamma.putScalar(c, 0.0);
                beta.putScalar(c, 0.0);
            }
            keep.put(group.batchNorm(), IntStream.range(0, n).filter(c -> !removed.contains(c)).toArray());
            long r = removed.size();
            expectedDrop += 2 * r; // gamma and beta
            if (group.producer() != null) {
                outRemoved.put(group.producer(), r);
            }
            group.consumers().forEach(c -> inRemoved.put(c, r));
            g++;
        }
        // A weight goes when its input or its output channel goes (conv W: out x in x k x k; dense W: in x out).
        java.util.Set<String> touched = new java.util.HashSet<>(outRemoved.keySet());
        touched.addAll(inRemoved.keySet());
        for (String layer : touched) {
            long[] io = inOutAndKernel(original, layer);
            long rOut = outRemoved.getOrDefault(layer, 0L);
            long rIn = inRemoved.getOrDefault(layer, 0L);
            expectedDrop += (io[0] * io[1] - (io[0] - rIn) * (io[1] - rOut)) * io[2];
        }
        PrunePlan plan = new PrunePlan(0.0, 0.0, keep, List.of());
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, plan);
        assertNotSame(original, pruned);

        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 12, 12);
        INDArray expected = original.outputSingle(false, x);
        INDArray actual = pruned.outputSingle(false, x);
        double maxDiff = expected.sub(actual).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-4, "max abs difference " + maxDiff);

        long before = ModelStats.of(original, SHAPE).params();
        long after = ModelStats.of(pruned, SHAPE).params();
        assertEquals(expectedDrop, before - after);
        // The pruned network is genuinely smaller: its tensors shrank.
        assertTrue(pruned.numParams() < original.numParams());
        // Selection vertices were inserted for the trunk-reading BNs.
        assertTrue(pruned.getConfiguration().getVertices().containsKey("s2_b1_bn1_select"));
    }

    /** {inputs, outputs, kernel area} of a conv or dense layer. */
    private static long[] inOutAndKernel(ComputationGraph g, String layer) {
        var conf = g.getLayer(layer).conf().getLayer();
        if (conf instanceof ConvolutionLayer conv) {
            return new long[] {conv.getNIn(), conv.getNOut(), (long) conv.getKernelSize()[0] * conv.getKernelSize()[1]};
        }
        var ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) conf;
        return new long[] {ff.getNIn(), ff.getNOut(), 1};
    }

    @Test
    void withoutSelectionOnlyBlockInternalChannelsGoAndOutputsStillMatch() {
        ComputationGraph original = TestNets.preResNet(8, 12, 9);
        TestNets.randomiseBatchNorms(original, 2);
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), false);
        Map<String, int[]> keep = new LinkedHashMap<>();
        for (ChannelGroup group : deps.groups().values()) {
            assertTrue(!group.bySelection());
            original.getLayer(group.batchNorm()).getParam("gamma").putScalar(1, 0.0);
            original.getLayer(group.batchNorm()).getParam("beta").putScalar(1, 0.0);
            keep.put(group.batchNorm(), IntStream.range(0, group.channels()).filter(c -> c != 1).toArray());
        }
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, List.of()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 1, 12, 12);
        double maxDiff = original.outputSingle(false, x).sub(pruned.outputSingle(false, x)).amaxNumber().doubleValue();
        assertTrue(maxDiff < 1e-4, "max abs difference " + maxDiff);
        assertTrue(pruned.getConfiguration().getVertices().keySet().stream().noneMatch(v -> v.endsWith("_select")));
    }

    @Test
    void pruningLiveChannelsChangesOutputs() {
        // Control for the test above: the equality is not trivially true.
        ComputationGraph original = TestNets.preResNet(8, 12, 3);
        TestNets.randomiseBatchNorms(original, 5);
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration(), true);
        Map<String, int[]> keep = new LinkedHashMap<>();
        deps.groups().values().forEach(gr -> keep.put(gr.batchNorm(), IntStream.range(1, gr.channels()).toArray()));
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, new ArrayList<>()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 12, 12);
        double maxDiff = original.outputSingle(false, x).sub(pruned.outputSingle(false, x)).amaxNumber().doubleValue();
        assertTrue(maxDiff > 1e-4, "removing live channels should change outputs, diff " + maxDiff);
    }
}
