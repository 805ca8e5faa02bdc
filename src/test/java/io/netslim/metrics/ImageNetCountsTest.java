package io.netslim.metrics;

import io.netslim.testing.TestNets;
import io.netslim.pipeline.Networks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Params and FLOPs of the ImageNet models at 3x224x224 and 1000 classes against torchvision 0.14's (conv and
 * linear weights and biases; FLOPs = 2 x multiply-adds of conv and linear layers).
 */
class ImageNetCountsTest {
    @ParameterizedTest
    @CsvSource({"resnet,18,11689512,3.628e9", "resnet,34,21797672,7.328e9", "resnet,50,25557032,8.178e9",
            "vgg-bn,11,132868840,1.522e10", "vgg-bn,16,138365992,3.094e10"})
    void countsMatchTorchvisionWithinOnePercent(String arch, int depth, long params, double flops) {
        var cfg = TestNets.config("model.arch=" + arch, "model.depth=" + depth, "model.classes=1000",
                "model.input-shape=\"3x224x224\"");
        ModelStats stats = ModelStats.of(Networks.plain(cfg, cfg.model().inputShape()), cfg.model().inputShape());
        assertEquals(params, stats.params(), params * 0.01, arch + "-" + depth + " params " + stats.params());
        assertEquals(flops, stats.flops(), flops * 0.01, arch + "-" + depth + " FLOPs " + stats.flops());
    }
}
