package io.netslim.prune;

import io.netslim.testing.TestNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DependencyGraphTest {
    @Test
    void withoutSelectionOnlyTheChannelsInsideResidualBlocksPrune() {
        ComputationGraph g = TestNets.preResNet(20, 12, 1);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), false);
        // 9 blocks: the inner BN (after conv1) of each is prunable, produced by conv1, consumed by conv2.
        assertEquals(9, deps.groups().size());
        deps.groups().values().forEach(group -> {
            assertTrue(group.batchNorm().endsWith("_bn2"), group.batchNorm());
            assertEquals(group.batchNorm().replace("_bn2", "_conv1"), group.producer());
            assertEquals(List.of(group.batchNorm().replace("_bn2", "_conv2")), group.consumers());
        });
        // Each block's first BN reads the trunk (an addition or the stem): not prunable here, with a reason.
        assertEquals(10, deps.coupled().size()); // 9 x bn1 + final_bn
        assertTrue(deps.coupled().get("s2_b1_bn1").contains("s2_b0_add"), deps.coupled().get("s2_b1_bn1"));
    }

    @Test
    void withSelectionTheTrunkReadingBatchNormsPruneThroughASelection() {
        ComputationGraph g = TestNets.preResNet(20, 12, 1);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), true);
        assertEquals(19, deps.groups().size());
        assertTrue(deps.coupled().isEmpty(), deps.coupled().toString());
        ChannelGroup bn1 = deps.groups().get("s2_b1_bn1");
        assertTrue(bn1.bySelection());
        assertNull(bn1.producer());
        assertEquals(List.of("s2_b1_conv1"), bn1.consumers());
        ChannelGroup last = deps.groups().get("final_bn");
        assertTrue(last.bySelection());
        assertEquals(List.of("fc"), last.consumers()); // through ReLU and global pooling
    }

    @Test
    void autoUsesSelectionOnlyWhereNothingElsePrunes() {
        ComputationGraph resnet = TestNets.preResNet(20, 12, 1);
        assertEquals(9, DependencyGraph.of(resnet.getConfiguration(), io.netslim.config.JobConfig.ChannelSelection.AUTO).groups().size());
        ComputationGraph densenet = TestNets.family("densenet", 10);
        assertTrue(DependencyGraph.of(densenet.getConfiguration(), false).groups().isEmpty());
        DependencyGraph auto = DependencyGraph.of(densenet.getConfiguration(), io.netslim.config.JobConfig.ChannelSelection.AUTO);
        assertEquals(3 * 2 + 2 + 1, auto.groups().size()); // dense layers, transitions, final BN
        assertTrue(auto.groups().values().stream().allMatch(ChannelGroup::bySelection));
    }
}
