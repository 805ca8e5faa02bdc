package io.netslim.prune;

import io.netslim.TestNets;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DependencyGraphTest {
    @Test
    void residualBlocksPruneTheirInnerChannelsAndKeepTheTrunk() {
        ComputationGraph g = TestNets.preResNet(20, 12, 1);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration());
        // 9 blocks: the inner BN (after conv1) of each is prunable, produced by conv1, consumed by conv2.
        assertEquals(9, deps.groups().size());
        deps.groups().values().forEach(group -> {
            assertTrue(group.batchNorm().endsWith("_bn2"), group.batchNorm());
            assertEquals(group.batchNorm().replace("_bn2", "_conv1"), group.producer());
            assertEquals(List.of(group.batchNorm().replace("_bn2", "_conv2")), group.consumers());
        });
        // Each block's first BN reads the trunk (an addition or the stem): coupled, with the reason.
        assertEquals(10, deps.coupled().size()); // 9 x bn1 + final_bn
        assertTrue(deps.coupled().get("s1_b0_bn1").contains("not a convolution")
                || deps.coupled().get("s1_b0_bn1").contains("also feeds"), deps.coupled().get("s1_b0_bn1"));
        assertTrue(deps.coupled().containsKey("final_bn"));
    }
}
