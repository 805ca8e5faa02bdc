package io.netslim.prune;

import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.metrics.ModelStats;
import org.deeplearning4j.nn.graph.ComputationGraph;
import io.netslim.Main;
import io.netslim.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pruning to a FLOPs or params budget: targets met exactly for every family, unreachable ones refused. */
class PruneBudgetTest {
    private static final long[] SHAPE = {3, 16, 16};

    private static ToLongFunction<org.deeplearning4j.nn.conf.ComputationGraphConfiguration> counter(boolean flops) {
        return conf -> flops ? ModelStats.of(conf, SHAPE).flops() : ModelStats.of(conf, SHAPE).params();
    }

    @ParameterizedTest
    @CsvSource({"preresnet-basic,8,auto", "preresnet-bottleneck,11,true", "vgg,11,auto", "densenet,10,auto",
            "resnet,18,true", "vgg-bn,11,auto"})
    void flopsAndParamsTargetsAreMetWithinAPointForEveryFamily(String arch, int depth, String selection) {
        ComputationGraph g = TestNets.family(arch, depth);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(),
                io.netslim.config.Choice.parse(io.netslim.config.JobConfig.ChannelSelection.class, selection));
        for (boolean flops : new boolean[] {true, false}) {
            // vgg-bn's parameters are mostly its 4096-wide classifier, which no BN prunes: 0.6 is its floor.
            for (double target : flops ? new double[] {0.7, 0.5} : new double[] {0.8}) {
                String key = flops ? "prune.keep-flops" : "prune.keep-params";
                GlobalThreshold rules = new GlobalThreshold(0, 2);
                PruneBudget.Result r = new PruneBudget(key, "x", target, counter(flops))
                        .plan(g, deps, new BnScaleImportance(), rules);
                String what = arch + " " + key + " = " + target + ": achieved " + r.achieved();
                assertTrue(r.achieved() <= target, what);
                // Within a point, or the closest there is: one channel less removed keeps more than the target.
                var scores = GlobalThreshold.scores(g, deps, new BnScaleImportance());
                int removed = (int) Math.round(r.plan().ratio() * scores.values().stream().mapToInt(s -> s.length).sum());
                PrunePlan less = rules.plan(scores, removed - 1);
                ModelStats lessStats = ModelStats.of(NetworkSurgeon.configuration(g.getConfiguration(), deps, less), SHAPE);
                assertTrue((flops ? lessStats.flops() : lessStats.params()) > target * r.before(), what);
                assertTrue(target - r.achieved() <= 0.01
                        || r.plan().notes().stream().anyMatch(n -> n.contains("the closest the rules allow")), what);
                // The numbers are those of the network the plan really builds.
                ModelStats built = ModelStats.of(NetworkSurgeon.prune(g, deps, r.plan()), SHAPE);
                assertEquals(r.after(), flops ? built.flops() : built.params(), what);
                assertEquals(r.achieved(), (double) r.after() / r.before(), 1e-12);
            }
        }
    }

    @Test
    void channelMultipleIsHonouredAndTheClosestReachableIsTaken() {
        ComputationGraph g = TestNets.family("vgg", 11);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), io.netslim.config.JobConfig.ChannelSelection.AUTO);
        PruneBudget.Result r = new PruneBudget("prune.keep-flops", "FLOPs", 0.5, counter(true))
                .plan(g, deps, new BnScaleImportance(), new GlobalThreshold(0, 2, 1.0, 8));
        assertTrue(r.achieved() <= 0.5, "achieved " + r.achieved());
        r.plan().keep().values().forEach(k -> assertEquals(0, k.length % 8, "kept " + k.length));
        // One channel fewer removed (the previous threshold) would keep more than the target: nothing closer exists.
        int removed = r.plan().removedChannels(deps);
        var scores = GlobalThreshold.scores(g, deps, new BnScaleImportance());
        PrunePlan less = new GlobalThreshold(0, 2, 1.0, 8).plan(scores, (int) Math.round(r.plan().ratio()
                * scores.values().stream().mapToInt(s -> s.length).sum()) - 1);
        assertTrue(less.removedChannels(deps) <= removed);
        long lessFlops = ModelStats.of(NetworkSurgeon.configuration(g.getConfiguration(), deps, less), SHAPE).flops();
        assertTrue(lessFlops > 0.5 * r.before() || less.removedChannels(deps) == removed);
    }

    @Test
    void unreachableTargetIsAClearConfigErrorNamingTheKeyAndTheReachableFraction() {
        ComputationGraph g = TestNets.family("preresnet-basic", 8);
        DependencyGraph deps = DependencyGraph.of(g.getConfiguration(), io.netslim.config.JobConfig.ChannelSelection.AUTO);
        ConfigException e = assertThrows(ConfigException.class, () -> new PruneBudget("prune.keep-flops", "FLOPs",
                0.01, counter(true)).plan(g, deps, new BnScaleImportance(), new GlobalThreshold(0, 2)));
        assertTrue(e.getMessage().contains("prune.keep-flops = 0.01 cannot be met"), e.getMessage());
        assertTrue(e.getMessage().contains("prune.min-channels = 2"), e.getMessage());
        assertTrue(e.getMessage().contains("set prune.keep-flops to at least 0."), e.getMessage());
    }

    @Test
    void pipelineRefusesAnUnreachableTargetBeforeTraining(@TempDir Path dir) {
        Path out = dir.resolve("run");
        int code = Main.run("pipeline", "--set", "data.path=" + TestNets.fashionMnist(), "--set", "data.limit-train=64",
                "--set", "data.limit-test=64", "--set", "model.depth=8", "--set", "prune.keep-flops=0.01",
                "--set", "output=" + out.toUri());
        assertEquals(ExitCodes.USAGE, code);
        assertFalse(Files.exists(out.resolve("run.json")), "nothing written");
    }

    @Test
    void configAllowsOneOfRatioAndTheBudgetsAndABudgetReplacesTheDefaultRatio() {
        JobConfig cfg = TestNets.config("prune.keep-flops=0.5");
        assertEquals(0.0, cfg.prune().ratio());
        assertEquals("prune.keep-flops", cfg.prune().budgetKey());
        assertEquals(null, TestNets.config().prune().budgetKey());
        ConfigException e = assertThrows(ConfigException.class,
                () -> TestNets.config("prune.keep-flops=0.5", "prune.ratio=0.3"));
        assertTrue(e.getMessage().contains("prune.ratio = 0.3 and prune.keep-flops = 0.5"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> TestNets.config("prune.keep-flops=0.5", "prune.keep-params=0.5"));
        assertTrue(e.getMessage().contains("prune.keep-flops = 0.5 and prune.keep-params = 0.5"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> TestNets.config("prune.keep-params=1.5"));
        assertTrue(e.getMessage().contains("prune.keep-params = 1.5"), e.getMessage());
        assertEquals(0.5, TestNets.config("prune.keep-params=0.5", "prune.ratio=0").prune().keepParams());
    }
}
