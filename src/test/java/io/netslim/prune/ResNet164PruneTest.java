package io.netslim.prune;

import io.netslim.testing.TestNets;
import io.netslim.metrics.ModelStats;
import io.netslim.pipeline.Networks;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paper's ResNet-164 (bottleneck, 3x32x32) with gammas from a fixed random draw, pruned at 0.4 and 0.6. */
class ResNet164PruneTest {
    private static final long[] SHAPE = {3, 32, 32};
    private static ComputationGraph net;

    @BeforeAll
    static void build() {
        var cfg = TestNets.config("model.arch=preresnet", "model.depth=164", "model.input-shape=\"3x32x32\"");
        net = new ComputationGraph(Networks.plain(cfg, SHAPE));
        net.init();
        Random rnd = new Random(164);
        for (org.deeplearning4j.nn.api.Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof BatchNormalization) {
                INDArray gamma = l.getParam("gamma");
                for (int i = 0; i < gamma.length(); i++) {
                    gamma.putScalar(i, Math.abs(rnd.nextGaussian()));
                }
            }
        }
    }

    @Test
    void everyBatchNormOfTheNetworkIsPrunable() {
        DependencyGraph deps = DependencyGraph.of(net.getConfiguration(), true);
        assertTrue(deps.coupled().isEmpty(), deps.coupled().toString());
        assertEquals(18 * 3 * 3 + 1, deps.groups().size()); // bn1, bn2, bn3 of 54 blocks + final
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.4, 0.6})
    void pruningReachesEveryKindOfBatchNorm(double ratio) {
        DependencyGraph deps = DependencyGraph.of(net.getConfiguration(), true);
        PrunePlan plan = new GlobalThreshold(ratio, 2).plan(net, deps, new BnScaleImportance());
        Set<String> kindsPruned = new TreeSet<>();
        for (Map.Entry<String, int[]> e : plan.keep().entrySet()) {
            if (e.getValue().length < deps.groups().get(e.getKey()).channels()) {
                String name = e.getKey();
                kindsPruned.add(name.equals("final_bn") ? "final" : name.substring(name.lastIndexOf('_') + 1));
            }
        }
        assertEquals(Set.of("bn1", "bn2", "bn3", "final"), kindsPruned);
        ComputationGraph pruned = NetworkSurgeon.prune(net, deps, plan);
        ModelStats before = ModelStats.of(net, SHAPE);
        ModelStats after = ModelStats.of(pruned, SHAPE);
        System.out.printf("ResNet-164 pruned at %.1f: params %d -> %d (%.1f%% fewer), FLOPs %d -> %d (%.1f%% fewer)%n",
                ratio, before.params(), after.params(), 100.0 * (1 - (double) after.params() / before.params()),
                before.flops(), after.flops(), 100.0 * (1 - (double) after.flops() / before.flops()));
        assertTrue(after.params() < before.params() && after.flops() < before.flops());
        INDArray out = pruned.outputSingle(false, Nd4j.rand(DataType.FLOAT, 1, 3, 32, 32));
        assertEquals(1.0, out.sumNumber().doubleValue(), 1e-4);
    }
}
