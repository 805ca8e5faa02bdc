package io.netslim.prune;

import io.netslim.TestNets;
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
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration());

        // Zero gamma and beta of a different set of channels in every block's inner BN.
        Map<String, int[]> keep = new LinkedHashMap<>();
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
            ConvolutionLayer producer = (ConvolutionLayer) original.getLayer(group.producer()).conf().getLayer();
            ConvolutionLayer consumer = (ConvolutionLayer) original.getLayer(group.consumers().get(0)).conf().getLayer();
            long r = removed.size();
            // producer 3x3 filters, gamma + beta, consumer 3x3 input slices
            expectedDrop += r * producer.getNIn() * 9 + 2 * r + r * consumer.getNOut() * 9;
            g++;
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
    }

    @Test
    void pruningLiveChannelsChangesOutputs() {
        // Control for the test above: the equality is not trivially true.
        ComputationGraph original = TestNets.preResNet(8, 12, 3);
        TestNets.randomiseBatchNorms(original, 5);
        DependencyGraph deps = DependencyGraph.of(original.getConfiguration());
        Map<String, int[]> keep = new LinkedHashMap<>();
        deps.groups().values().forEach(gr -> keep.put(gr.batchNorm(), IntStream.range(1, gr.channels()).toArray()));
        ComputationGraph pruned = NetworkSurgeon.prune(original, deps, new PrunePlan(0, 0, keep, new ArrayList<>()));
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 1, 12, 12);
        double maxDiff = original.outputSingle(false, x).sub(pruned.outputSingle(false, x)).amaxNumber().doubleValue();
        assertTrue(maxDiff > 1e-4, "removing live channels should change outputs, diff " + maxDiff);
    }
}
