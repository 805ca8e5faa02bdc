package io.netslim.pipeline;

import io.netslim.Main;
import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One test per validation rule and exit code; all of these fail before Spark starts. */
class ValidationTest {
    @TempDir
    Path dir;

    private String problems(String... overrides) {
        ConfigException e = assertThrows(ConfigException.class, () -> {
            JobConfig cfg = TestNets.config(overrides);
            Preflight.check(cfg, cfg.output().isEmpty() ? dir.resolve("out").toString() : cfg.output(), new Configuration());
        });
        return e.getMessage();
    }

    private int exit(String... overrides) {
        String[] args = new String[overrides.length * 2 + 1];
        args[0] = "pipeline";
        for (int i = 0; i < overrides.length; i++) {
            args[1 + 2 * i] = "--set";
            args[2 + 2 * i] = overrides[i];
        }
        return Main.run(args);
    }

    @Test
    void unknownKey() {
        assertTrue(problems("train.epoch=3").contains("unknown key 'train.epoch'"));
        assertEquals(2, exit("train.epoch=3"));
    }

    @Test
    void wrongType() {
        assertTrue(problems("train.batch-size=big").contains("train.batch-size: expected an integer"));
        assertEquals(2, exit("train.batch-size=big"));
    }

    @Test
    void ratioOutsideZeroToOne() {
        assertTrue(problems("prune.ratio=1").contains("prune.ratio = 1.0: expected a number in [0.0, 1.0)"));
        assertEquals(2, exit("prune.ratio=-0.1"));
    }

    @Test
    void negativeLambdaAndLearningRate() {
        String p = problems("sparsity.lambda=-1e-4", "train.lr=-0.1", "finetune.lr=0");
        assertTrue(p.contains("sparsity.lambda = -1.0E-4"), p);
        assertTrue(p.contains("train.lr = -0.1"), p);
        assertTrue(p.contains("finetune.lr = 0.0"), p);
    }

    @Test
    void depthThatDoesNotFitTheArchitecture() {
        assertTrue(problems("model.depth=21", "output=\"" + dir + "/o\"").contains("model.depth = 21: preresnet with basic blocks needs depth = 6n+2"));
        assertTrue(problems("model.arch=vgg", "model.depth=20", "output=\"" + dir + "/o\"").contains("vgg needs depth 11, 13, 16 or 19"));
        assertTrue(problems("model.arch=alexnet", "output=\"" + dir + "/o\"").contains("model.arch = 'alexnet': expected one of"));
        assertEquals(2, exit("model.depth=21", "output=\"" + dir + "/o\""));
    }

    @Test
    void modelInitThatDoesNotExistAndZooModelsThatAreNot() {
        String p = problems("model.init=\"/nonexistent/model.zip\"", "output=\"" + dir + "/o\"");
        assertTrue(p.contains("model.init = '/nonexistent/model.zip': no such file"), p);
        assertTrue(problems("model.arch=\"zoo:ResNet18\"", "output=\"" + dir + "/o\"")
                .contains("model.arch = 'zoo:ResNet18': expected zoo: followed by one of"));
        assertEquals(2, exit("model.init=\"/nonexistent/model.zip\"", "output=\"" + dir + "/o\""));
    }

    @Test
    void dataPathThatDoesNotExist() {
        String p = problems("data.path=/nonexistent/data", "output=\"" + dir + "/o\"");
        assertTrue(p.contains("data.path = '/nonexistent/data': does not exist"), p);
        assertEquals(2, exit("data.path=/nonexistent/data", "output=\"" + dir + "/o\""));
    }

    @Test
    void unwritableOutput() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        String p = problems("output=\"" + file + "/run\"");
        assertTrue(p.contains("output = '" + file + "/run': not writable"), p);
        assertEquals(2, exit("output=\"" + file + "/run\""));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String p = problems("model.depth=21", "data.path=/nonexistent/data", "output=\"" + dir + "/o\"");
        assertTrue(p.contains("model.depth") && p.contains("data.path"), p);
    }

    @Test
    void malformedDataExitsWithThree() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                "t10k-labels-idx1-ubyte"}) {
            Files.write(data.resolve(f), new byte[] {0, 0, 9, 9, 0, 0, 0, 1});
        }
        assertEquals(3, exit("data.path=\"" + data + "\"", "output=\"" + dir + "/o\""));
        assertFalse(Files.exists(dir.resolve("o/run.json")), "nothing is written for a run that cannot start");
    }

    /** Trains on Spark until it diverges: the one test here that gets past validation. */
    @Test
    @Tag("e2e")
    void divergenceStopsTrainingWithFour() {
        Path out = dir.resolve("diverged");
        int code = exit("data.path=" + TestNets.fashionMnist(), "data.limit-train=256", "data.limit-test=64",
                "model.depth=8", "train.lr=1e8", "train.epochs=2", "spark.master=\"local[1]\"",
                "spark.conf.spark.ui.enabled=false", "output=\"" + out + "\"");
        assertEquals(4, code);
        assertFalse(Files.exists(out.resolve("sparse.zip")));
        assertFalse(Files.exists(out.resolve("_stages")));
    }
}
