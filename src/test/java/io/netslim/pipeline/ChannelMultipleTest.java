package io.netslim.pipeline;

import io.netslim.testing.TestNets;
import io.netslim.config.JobConfig;
import io.netslim.cpu.ConvolutionBlock;
import io.netslim.prune.ChannelGroup;
import io.netslim.prune.GlobalThreshold;
import io.netslim.prune.Pruner;
import io.netslim.train.TrainingKernels;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** prune.channel-multiple = auto: resolved on this JVM to its convolution block, which every pruned layer keeps. */
class ChannelMultipleTest {
    @Test
    void autoPrunesEveryLayerToMultiplesOfThisMachinesBlock() {
        JobConfig cfg = TestNets.config("prune.channel-multiple=auto", "prune.ratio=0.5");
        assertThrows(IllegalStateException.class, () -> Pruner.of(cfg.prune()).prune(
                TestNets.preResNet(8, 12, 1), 0.5, "unresolved"), "auto is never taken for a channel count");

        ChannelMultiple resolved = ChannelMultiple.of(cfg.prune());
        ConvolutionBlock block = ConvolutionBlock.here(TrainingKernels.backend());
        assertEquals(block.channels(), resolved.multiple());
        assertEquals("auto", resolved.configured());
        assertEquals(block.reason(), resolved.reason());
        assertEquals("auto", resolved.json().get("configured").asText());
        assertEquals(block.channels(), resolved.json().get("value").asInt());
        int m = resolved.multiple();

        // VGG-11 (64..512 channels) with random gammas: the threshold leaves arbitrary counts, auto rounds them up
        ComputationGraph vgg = TestNets.model("vgg", 11, new long[] {3, 32, 32}, 3);
        TestNets.randomiseBatchNorms(vgg, 5);
        JobConfig applied = resolved.applyTo(cfg);
        Pruner.Result cut = Pruner.of(applied.prune()).prune(vgg, 0.5, "vgg-11");
        Pruner.Result exact = Pruner.of(applied.prune().withChannelMultiple(1)).prune(vgg, 0.5, "vgg-11");
        int pruned = 0;
        int offMultiple = 0;
        for (ChannelGroup g : cut.deps().groups().values()) {
            int kept = cut.plan().keep().get(g.name()).length;
            long built = ((BatchNormalization) cut.pruned().getLayer(g.batchNorm()).conf().getLayer()).getNOut();
            assertEquals(kept, built, g.name() + ": the network is built with the planned channels");
            assertTrue(kept % m == 0 || kept == g.channels(), g.name() + " keeps " + kept + " of " + g.channels()
                    + ", not a multiple of " + m);
            pruned += kept < g.channels() ? 1 : 0;
            offMultiple += exact.plan().keep().get(g.name()).length % m != 0 ? 1 : 0;
        }
        assertTrue(pruned >= cut.deps().groups().size() / 2, pruned + " groups pruned: the rule still prunes");
        if (m > 1) {
            assertTrue(offMultiple > 0, "the exact threshold alone leaves counts off the block: the test proves nothing");
        }
    }

    @Test
    void aConfiguredCountIsKeptAsIs() {
        JobConfig cfg = TestNets.config("prune.channel-multiple=3");
        ChannelMultiple m = ChannelMultiple.of(cfg.prune());
        assertEquals(3, m.multiple());
        assertEquals("3", m.configured());
        assertEquals(3, ChannelMultiple.resolved(cfg).prune().channelMultiple());
        assertTrue(GlobalThreshold.of(cfg.prune(), 0.4).rules().contains("prune.channel-multiple = 3"));
    }
}
