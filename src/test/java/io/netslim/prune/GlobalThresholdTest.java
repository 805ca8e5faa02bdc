package io.netslim.prune;

import io.netslim.testing.TestNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobalThresholdTest {
    @Test
    void thresholdIsTheGlobalPercentileAndMinChannelsIsKept() {
        ComputationGraph g = TestNets.preResNet(8, 12, 1); // groups: 16, 32, 64 channels = 112
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), false);
        List<ChannelGroup> groups = tinyThenCountingGammas(g, deps);

        PrunePlan plan = new GlobalThreshold(0.5, 3).plan(g, deps, new BnScaleImportance());
        // 56 of 112 scores at or below the threshold: 16 tiny ones, then 1..20 twice (40) = 56.
        assertEquals(20.0, plan.threshold(), 1e-6);
        // Group 0 would lose everything: it keeps its 3 largest, and the plan says so.
        assertArrayEquals(new int[] {13, 14, 15}, plan.keep().get(groups.get(0).batchNorm()));
        assertEquals(1, plan.notes().size());
        assertTrue(plan.notes().get(0).contains(groups.get(0).batchNorm()));
        assertEquals(12, plan.keep().get(groups.get(1).batchNorm()).length);
        assertEquals(44, plan.keep().get(groups.get(2).batchNorm()).length);
        assertEquals(20, plan.keep().get(groups.get(2).batchNorm())[0]);
    }

    @Test
    void maxLayerRatioCapsWhatOneLayerLoses() {
        ComputationGraph g = TestNets.preResNet(8, 12, 1);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), false);
        List<ChannelGroup> groups = tinyThenCountingGammas(g, deps);
        PrunePlan plan = new GlobalThreshold(0.5, 1, 0.5).plan(g, deps, new BnScaleImportance());
        // Group 0 (16 channels) may lose at most half: it keeps its 8 best.
        assertArrayEquals(new int[] {8, 9, 10, 11, 12, 13, 14, 15}, plan.keep().get(groups.get(0).batchNorm()));
        assertTrue(plan.notes().get(0).contains("prune.max-layer-ratio"), plan.notes().get(0));
    }

    @Test
    void channelMultipleRoundsWhatEachLayerKeepsUpWithItsBestChannels() {
        ComputationGraph g = TestNets.preResNet(8, 12, 1);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), false);
        List<ChannelGroup> groups = tinyThenCountingGammas(g, deps);
        PrunePlan plan = new GlobalThreshold(0.5, 3, 1.0, 8).plan(g, deps, new BnScaleImportance());
        // Same threshold as without rounding; kept 3 / 12 / 44 channels become 8 / 16 / 48, the best ones.
        assertEquals(20.0, plan.threshold(), 1e-6);
        assertArrayEquals(new int[] {8, 9, 10, 11, 12, 13, 14, 15}, plan.keep().get(groups.get(0).batchNorm()));
        assertArrayEquals(java.util.stream.IntStream.range(16, 32).toArray(),
                plan.keep().get(groups.get(1).batchNorm()));
        assertArrayEquals(java.util.stream.IntStream.range(16, 64).toArray(),
                plan.keep().get(groups.get(2).batchNorm()));
        // never more channels than a layer has
        PrunePlan light = new GlobalThreshold(0.01, 1, 1.0, 48).plan(g, deps, new BnScaleImportance());
        assertEquals(16, light.keep().get(groups.get(0).batchNorm()).length);
        assertEquals(32, light.keep().get(groups.get(1).batchNorm()).length);
        assertEquals(64, light.keep().get(groups.get(2).batchNorm()).length);
        assertThrows(IllegalArgumentException.class, () -> new GlobalThreshold(0.5, 1, 1.0, 0));
    }

    @Test
    void ratioZeroPrunesNothing() {
        ComputationGraph g = TestNets.preResNet(8, 12, 1);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), true);
        PrunePlan plan = new GlobalThreshold(0.0, 1).plan(g, deps, new BnScaleImportance());
        assertEquals(0, plan.removedChannels(deps));
    }

    @Test
    void ratioOutsideRangeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new GlobalThreshold(1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> new GlobalThreshold(-0.1, 1));
    }

    /** Group 0: all tiny gammas (would be emptied); the others: gamma = channel index + 1. */
    private static List<ChannelGroup> tinyThenCountingGammas(ComputationGraph g, DependencyGraph deps) {
        List<ChannelGroup> groups = List.copyOf(deps.groups().values());
        setGammas(g, groups.get(0), i -> 0.001 * (i + 1));
        setGammas(g, groups.get(1), i -> i + 1.0);
        setGammas(g, groups.get(2), i -> i + 1.0);
        return groups;
    }

    private static void setGammas(ComputationGraph g, ChannelGroup group, java.util.function.IntToDoubleFunction f) {
        INDArray gamma = g.getLayer(group.batchNorm()).getParam("gamma");
        double[] v = new double[group.channels()];
        Arrays.setAll(v, f::applyAsDouble);
        for (int i = 0; i < v.length; i++) {
            gamma.putScalar(i, v[i]);
        }
    }
}
