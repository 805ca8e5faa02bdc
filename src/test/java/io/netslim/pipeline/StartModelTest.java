package io.netslim.pipeline;

import io.netslim.testing.LogLines;
import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import io.netslim.config.ConfigException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.init: a saved ComputationGraph with its own architecture, class count adapted, bad files refused. */
class StartModelTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withHdfs();

    @TempDir
    Path tmp;

    @Test
    void loadsTheZipsArchitectureAndWeightsAndReplacesAnOutputOfAnotherClassCount() throws Exception {
        ComputationGraph saved = TestNets.model("preresnet", 8, new long[] {3, 16, 16}, 4);
        Path zip = tmp.resolve("pretrained.zip");
        ModelSerializer.writeModel(saved, zip.toFile(), false);
        long[] shape = {3, 16, 16};

        ComputationGraph same = StartModel.load(config(zip, 10, "0.02"), shape, new Configuration());
        assertEquals(saved.params(), same.params());
        // netslim's optimiser on every layer, whatever the zip had
        BaseLayer conv = (BaseLayer) same.getLayer("s1_b0_conv1").conf().getLayer();
        assertEquals(0.02, conv.getIUpdater().getLearningRate(0, 0), 1e-12);
        assertEquals(io.netslim.model.Momentum.class, conv.getIUpdater().getClass());

        ComputationGraph three = StartModel.load(config(zip, 3, "0.1"), shape, new Configuration());
        OutputLayer fc = (OutputLayer) three.getLayer("fc").conf().getLayer();
        assertEquals(3, fc.getNOut());
        assertEquals(saved.getLayer("s3_b0_conv2").params(), three.getLayer("s3_b0_conv2").params());
        assertEquals(saved.numParams() - 7 * 65, three.numParams());
    }

    /** model.init on HDFS (any Hadoop FS), and the log says model.arch is ignored and the output layer replaced. */
    @Test
    void loadsFromHdfsAndLogsWhatItIgnoresAndReplaces() throws Exception {
        ComputationGraph saved = TestNets.model("preresnet", 8, new long[] {3, 16, 16}, 4);
        MiniDFSCluster hdfs = cluster.hdfs();
        try (LogLines log = new LogLines(StartModel.class)) {
            FileSystem fs = hdfs.getFileSystem();
            org.apache.hadoop.fs.Path zip = new org.apache.hadoop.fs.Path("/models/pretrained.zip");
            try (var out = fs.create(zip)) {
                ModelSerializer.writeModel(saved, out, false);
            }
            String uri = fs.makeQualified(zip).toString();
            var cfg = TestNets.config("model.init=\"" + uri + "\"", "model.classes=3", "model.arch=vgg", "model.depth=11");
            ComputationGraph three = StartModel.load(cfg, new long[] {3, 16, 16}, hdfs.getConfiguration(0));
            assertEquals(saved.getLayer("s3_b0_conv2").params(), three.getLayer("s3_b0_conv2").params());
            assertEquals(3, ((OutputLayer) three.getLayer("fc").conf().getLayer()).getNOut());
            String lines = log.text();
            assertTrue(lines.contains("model.init = " + uri + ": starting from its architecture and weights")
                    && lines.contains("model.arch 'vgg' and model.depth are ignored"), lines);
            assertTrue(lines.contains("output layer fc has 10 classes, the data 3: replaced"), lines);
        }
    }

    @Test
    void refusesWhatIsNotAModelOrDoesNotTakeTheData() throws Exception {
        ComputationGraph saved = TestNets.model("preresnet", 8, new long[] {3, 16, 16}, 4);
        Path zip = tmp.resolve("rgb.zip");
        ModelSerializer.writeModel(saved, zip.toFile(), false);
        ConfigException gray = assertThrows(ConfigException.class,
                () -> StartModel.load(config(zip, 10, "0.1"), new long[] {1, 16, 16}, new Configuration()));
        assertTrue(gray.getMessage().contains("does not take images of shape 1x16x16"), gray.getMessage());
        Path text = Files.writeString(tmp.resolve("notes.zip"), "not a model");
        ConfigException bad = assertThrows(ConfigException.class,
                () -> StartModel.load(config(text, 10, "0.1"), new long[] {3, 16, 16}, new Configuration()));
        assertTrue(bad.getMessage().contains("model.init = '" + text.toUri()), bad.getMessage());
    }

    private static io.netslim.config.JobConfig config(Path zip, int classes, String lr) {
        return TestNets.config("model.init=\"" + zip.toUri() + "\"", "model.classes=" + classes, "train.lr=" + lr);
    }
}
