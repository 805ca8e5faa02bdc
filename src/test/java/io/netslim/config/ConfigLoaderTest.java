package io.netslim.config;

import io.netslim.testing.TestNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {
    @Test
    void setOverridesFileWhichOverridesReference(@TempDir Path dir) throws Exception {
        File file = dir.resolve("job.conf").toFile();
        Files.writeString(file.toPath(), "train { epochs = 7, lr = 0.05 }\nprune.ratio = 0.6\n");
        JobConfig cfg = JobConfigReader.read(ConfigLoader.load(file, List.of("train.epochs=9",
                "spark.conf.spark.executor.memory=4g", "spark.conf.\"spark.hadoop.fs.defaultFS\"=hdfs://nn:9000", "spark.conf.\"spark.eventLog.enabled\"=true")));
        assertEquals(9, cfg.train().epochs());
        assertEquals(0.05, cfg.train().lr());
        assertEquals(0.6, cfg.prune().ratio());
        assertEquals(64, cfg.train().batchSize()); // from reference.conf
        assertEquals("4g", cfg.spark().conf().get("spark.executor.memory"));
        assertEquals("hdfs://nn:9000", cfg.spark().conf().get("spark.hadoop.fs.defaultFS")); // quoted key, unquoted
        assertEquals("true", cfg.spark().conf().get("spark.eventLog.enabled")); // quoted key, HOCON value
        assertEquals(1, cfg.spark().conf().keySet().stream().filter(k -> k.contains("eventLog")).count());
    }

    @Test
    void unknownKeysAreAllNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(null, List.of("train.epoch=3", "prune.ration=0.5")));
        assertEquals(2, e.problems().size());
        assertTrue(e.getMessage().contains("train.epoch"));
        assertTrue(e.getMessage().contains("prune.ration"));
    }

    @Test
    void badValuesNameKeyValueAndExpectation() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> TestNets.config("prune.ratio=1.5", "train.lr=-1", "train.epochs=many"));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("prune.ratio = 1.5: expected a number in [0.0, 1.0)"), e.getMessage());
        assertTrue(e.getMessage().contains("train.lr = -1.0"), e.getMessage());
        assertTrue(e.getMessage().contains("train.epochs: expected an integer"), e.getMessage());
    }

    @Test
    void channelMultipleIsACountOrAuto() {
        assertEquals(1, TestNets.config().prune().channelMultiple(), "reference.conf: the paper's rule");
        assertEquals(16, TestNets.config("prune.channel-multiple=16").prune().channelMultiple());
        assertEquals(8, TestNets.config("prune.channel-multiple=\"8\"").prune().channelMultiple());
        JobConfig.PruneConfig auto = TestNets.config("prune.channel-multiple=auto").prune();
        assertTrue(auto.channelMultipleAuto());
        // config resolves nothing: auto stays auto until the job asks the machine
        assertEquals(8, auto.withChannelMultiple(8).channelMultiple());
        assertTrue(!auto.withChannelMultiple(8).channelMultipleAuto());
        assertThrows(IllegalArgumentException.class, () -> auto.withChannelMultiple(0));

        for (String bad : List.of("0", "-8", "8.5", "AUTO", "fast", "[8]")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TestNets.config("prune.channel-multiple=" + bad), bad);
            assertEquals(1, e.problems().size(), e.getMessage());
            assertTrue(e.getMessage().contains("prune.channel-multiple = ") && e.getMessage().contains(bad)
                    && e.getMessage().contains("expected a positive integer or auto"), e.getMessage());
        }
    }

    @Test
    void missingConfigFileIsReported() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new File("/nonexistent/job.conf"), List.of()));
        assertTrue(e.getMessage().contains("/nonexistent/job.conf"));
    }
}
