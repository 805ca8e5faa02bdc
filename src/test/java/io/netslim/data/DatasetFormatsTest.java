package io.netslim.data;

import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import io.netslim.config.ConfigLoader;
import io.netslim.config.JobConfigReader;
import io.netslim.config.KeyAliases;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one registry of data formats: what config accepts, where each format's keys are, and their old spellings. */
class DatasetFormatsTest {
    @Test
    void configAcceptsExactlyTheRegisteredFormats() {
        assertEquals(List.of("idx", "cifar", "folder", "shards"),
                DatasetFormats.ALL.stream().map(DataFormat::name).toList());
        for (DataFormat format : DatasetFormats.ALL) {
            assertEquals(format.name(), TestNets.config("data.format=" + format.name()).data().format());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> TestNets.config("data.format=tfrecord"));
        assertEquals(List.of("data.format = 'tfrecord': expected one of [idx, cifar, folder, shards]"), e.problems());
    }

    @Test
    void eachFormatsKeysSitUnderItsNameInReferenceConf() {
        var reference = ConfigLoader.reference();
        for (DataFormat format : DatasetFormats.ALL) {
            for (Map.Entry<String, String> alias : format.aliases().entrySet()) {
                assertTrue(alias.getValue().startsWith("data." + format.name() + "."), alias.getValue());
                assertTrue(reference.hasPath(alias.getValue()), alias.getValue() + " in reference.conf");
                assertFalse(reference.hasPathOrNull(alias.getKey()), "old key " + alias.getKey() + " only an alias");
            }
        }
        assertEquals(Map.of("data.image-size", "data.folder.image-size", "data.cifar-labels", "data.cifar.labels"),
                KeyAliases.all());
        // the chosen format's settings, read by the format; formats without keys have none
        assertEquals(32, folderSize(TestNets.config("data.format=folder")));
        assertFalse(TestNets.config("data.format=cifar").data().settings(CifarDataset.Settings.class).coarse());
        assertNull(TestNets.config("data.format=idx").data().settings());
    }

    @Test
    void oldKeysStillWorkAndTheNewKeyWins() {
        assertEquals(16, folderSize(TestNets.config("data.format=folder", "data.image-size=16")));
        assertEquals(16, folderSize(TestNets.config("data.format=folder", "data.folder.image-size=16")));
        assertEquals(8, folderSize(TestNets.config("data.format=folder", "data.image-size=16",
                "data.folder.image-size=8")));
        assertTrue(TestNets.config("data.format=cifar", "data.cifar-labels=coarse").data()
                .settings(CifarDataset.Settings.class).coarse());
        assertTrue(TestNets.config("data.format=cifar", "data.cifar.labels=coarse").data()
                .settings(CifarDataset.Settings.class).coarse());
        // every format's keys are checked, whichever format is chosen, under the old spelling too
        ConfigException e = assertThrows(ConfigException.class, () -> TestNets.config("data.cifar-labels=medium"));
        assertEquals(List.of("data.cifar.labels = 'medium': expected one of [fine, coarse]"), e.problems());
        e = assertThrows(ConfigException.class, () -> TestNets.config("data.folder.image-size=0"));
        assertEquals(List.of("data.folder.image-size = 0: expected an integer >= 1"), e.problems());
    }

    @Test
    void aRunRecordedWithTheOldKeysReadsTheSame() {
        String recorded = "{\"data\": {\"format\": \"folder\", \"image-size\": 16, \"cifar-labels\": \"coarse\"}}";
        var cfg = JobConfigReader.read(ConfigLoader.stored(recorded));
        assertEquals(16, folderSize(cfg));
        // a recorded config read without reference.conf underneath (as search does) too
        var old = com.typesafe.config.ConfigFactory.parseString(recorded).withFallback(
                ConfigLoader.load(null, List.of()).withoutPath("data.folder").withoutPath("data.cifar"));
        assertEquals(16, folderSize(JobConfigReader.read(old)));
        // what a run records has the keys in their new place only
        assertFalse(cfg.rendered().contains("cifar-labels"), cfg.rendered());
        assertTrue(cfg.rendered().contains("\"labels\" : \"coarse\""), cfg.rendered());
    }

    private static int folderSize(io.netslim.config.JobConfig cfg) {
        return cfg.data().settings(FolderDataset.Settings.class).imageSize();
    }
}
