package io.netslim.metrics;

import io.netslim.testing.TestNets;
import io.netslim.pipeline.Networks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Params and FLOPs of the paper's CIFAR-10 models (Liu et al. 2017, Table 1), counted as the paper counts. */
class PaperCountsTest {
    @ParameterizedTest
    @CsvSource({"preresnet,164,1.70e6,4.99e8", "vgg,19,20.04e6,7.97e8", "densenet,40,1.02e6,5.33e8"})
    void countsMatchThePaperWithinOnePercent(String arch, int depth, double params, double flops) {
        var cfg = TestNets.config("model.arch=" + arch, "model.depth=" + depth, "model.input-shape=\"3x32x32\"");
        ComputationGraph g = new ComputationGraph(Networks.plain(cfg, cfg.model().inputShape()));
        g.init();
        ModelStats stats = ModelStats.of(g, cfg.model().inputShape());
        assertEquals(params, stats.params(), params * 0.01, arch + " params " + stats.params());
        assertEquals(flops, stats.flops(), flops * 0.01, arch + " FLOPs " + stats.flops());
    }
}
