package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.testing.TestCluster;
import io.netslim.testing.TestNets;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline on Spark local[2] from each dataset format on HDFS, including shards written there by
 * prepare (ClassOrderedTrainingTest compares accuracies across storage orders and formats).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("e2e")
class FormatsPipelineTest {
    @RegisterExtension
    static final TestCluster cluster = TestCluster.withHdfs();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SMALL = List.of("model.depth=8", "train.epochs=1", "finetune.epochs=1",
            "eval.monitor-images=0", "spark.master=\"local[2]\"", "spark.conf.spark.ui.enabled=false");

    private MiniDFSCluster hdfs;
    private FileSystem fs;
    private String root;

    @BeforeAll
    void startHdfs() throws IOException {
        hdfs = cluster.hdfs();
        fs = hdfs.getFileSystem();
        root = hdfs.getURI().toString();
    }

    @Test
    void cifarOnHdfsRunsThePipeline() throws Exception {
        Random rnd = new Random(1);
        write("/cifar/data_batch_1.bin", cifar(rnd, 160));
        write("/cifar/data_batch_2.bin", cifar(rnd, 96));
        write("/cifar/test_batch.bin", cifar(rnd, 64));
        JsonNode report = pipeline("/runs/cifar", "data.format=cifar", "data.path=" + root + "/cifar",
                "data.normalize=auto");
        assertEquals(256, report.at("/data/train_images").asInt());
        assertEquals(64, report.at("/data/test_images").asInt());
        assertEquals(3, report.at("/data/normalization/mean").size());
    }

    @Test
    void twoSlimmingPassesEachPruneThePreviousPassesNetwork() throws Exception {
        Random rnd = new Random(3);
        write("/cifar2/data_batch_1.bin", cifar(rnd, 192));
        write("/cifar2/test_batch.bin", cifar(rnd, 64));
        JsonNode report = pipeline("/runs/passes", "data.format=cifar", "data.path=" + root + "/cifar2",
                "slimming.passes=2", "prune.max-layer-ratio=0.5");
        JsonNode passes = report.get("passes");
        assertEquals(2, passes.size(), report.toString());
        // the second pass starts from the first's fine-tuned network and prunes it further
        assertEquals(passes.get(0).at("/params/after").asLong(), passes.get(1).at("/params/before").asLong());
        assertTrue(passes.get(1).at("/params/after").asLong() < passes.get(1).at("/params/before").asLong());
        assertEquals(passes.get(0).at("/params/before").asLong(), report.at("/params/before").asLong());
        assertEquals(passes.get(1).at("/params/after").asLong(), report.at("/params/after").asLong());
        JsonNode manifest = JSON.readTree(read("/runs/passes/manifest.json"));
        assertEquals("pass-1/finetuned.zip", manifest.at("/lineage/sparse.zip").asText(), manifest.toString());
        assertTrue(fs.exists(new Path("/runs/passes/pass-1/finetuned.zip")));
        for (io.netslim.artifacts.Stage stage : io.netslim.artifacts.Stage.values()) {
            assertTrue(passes.get(0).at("/stages/" + stage.result).has("test_accuracy"), stage + " of pass 1");
            assertTrue(passes.get(1).at("/stages/" + stage.result).has("test_accuracy"), stage + " of pass 2");
        }
    }

    @Test
    void folderOnHdfsRunsThePipelineAndSkipsWhatDoesNotDecode() throws Exception {
        Random rnd = new Random(2);
        for (String split : List.of("train", "val")) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < (split.equals("train") ? 40 : 10); i++) {
                    write("/folder/" + split + "/class" + c + "/img" + i + ".png", png(rnd, c));
                }
            }
        }
        write("/folder/train/class1/broken.png", "not an image".getBytes(StandardCharsets.UTF_8));
        JsonNode report = pipeline("/runs/folder", "data.format=folder", "data.path=" + root + "/folder",
                "data.image-size=8", "model.classes=3", "data.on-bad-record=skip");
        assertEquals(121, report.at("/data/train_images").asInt()); // listed; the broken one is skipped when read
        assertEquals(1, report.at("/data/bad_records_skipped").asInt(), report.at("/data").toString());
        assertTrue(report.at("/data/bad_records/0").asText().contains("broken.png"));
    }

    @Test
    void shardsPreparedOnHdfsRunThePipeline() throws Exception {
        List<String> idx = List.of("data.path=" + TestNets.fashionMnist(), "data.limit-train=1024",
                "data.limit-test=500");
        List<String> prepare = new ArrayList<>(List.of("prepare", "--to", root + "/shards", "--shard-size", "300"));
        idx.forEach(s -> {
            prepare.add("--set");
            prepare.add(s);
        });
        prepare.addAll(List.of("--set", "spark.master=\"local[2]\"", "--set", "spark.conf.spark.ui.enabled=false"));
        assertEquals(0, Main.run(prepare.toArray(String[]::new)));

        // batch 16: 32 averaged steps per epoch learn something (0.40 measured; batch 64 stays near chance)
        JsonNode fromShards = pipeline("/runs/shards", "data.format=shards", "data.path=" + root + "/shards",
                "train.batch-size=16", "finetune.batch-size=16");
        assertEquals(1024, fromShards.at("/data/train_images").asInt());
        assertEquals(500, fromShards.at("/data/test_images").asInt());
        assertTrue(fromShards.at("/stages/finetuned/test_accuracy").asDouble() > 0.25, fromShards.toString());
    }

    /** Runs the pipeline with the small settings and {@code sets} into {@code output}; returns its report. */
    private JsonNode pipeline(String output, String... sets) throws IOException {
        List<String> args = new ArrayList<>(List.of("pipeline"));
        List<String> all = new ArrayList<>(SMALL);
        all.addAll(List.of(sets));
        all.add("output=\"" + root + output + "\"");
        all.forEach(s -> {
            args.add("--set");
            args.add(s);
        });
        assertEquals(0, Main.run(args.toArray(String[]::new)), String.join(" ", args));
        assertTrue(fs.exists(new Path(output, "_SUCCESS")));
        assertEquals(0, Main.run("verify", root + output));
        return JSON.readTree(read(output + "/report.json"));
    }

    /** CIFAR-10 records: label, then 3x32x32 pixels brighter in the channel of the label's class group. */
    private static byte[] cifar(Random rnd, int records) {
        byte[] out = new byte[records * 3073];
        for (int r = 0; r < records; r++) {
            int label = rnd.nextInt(10);
            out[r * 3073] = (byte) label;
            for (int k = 0; k < 3072; k++) {
                out[r * 3073 + 1 + k] = (byte) (rnd.nextInt(128) + (k / 1024 == label % 3 ? 127 : 0));
            }
        }
        return out;
    }

    /** An 8x8 PNG whose colour depends on its class. */
    private static byte[] png(Random rnd, int cls) throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                int base = rnd.nextInt(100);
                img.setRGB(x, y, ((cls == 0 ? 150 : 0) + base) << 16 | ((cls == 1 ? 150 : 0) + base) << 8
                        | ((cls == 2 ? 150 : 0) + base));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private void write(String path, byte[] bytes) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(path), true)) {
            out.write(bytes);
        }
    }

    private String read(String path) throws IOException {
        try (InputStream in = fs.open(new Path(path))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
