package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.metrics.ModelStats;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole job with torchvision's ResNet-18 on a small image folder, then a second run that starts from the
 * first run's finetuned.zip (model.init), stopped after sparsity training and resumed, slimming it further.
 */
@Tag("e2e")
class ImageNetModelsPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SMALL = List.of("data.format=folder", "data.image-size=16", "model.classes=3",
            "train.epochs=1", "finetune.epochs=1", "train.batch-size=16", "finetune.batch-size=16",
            "eval.monitor-images=0", "prune.ratio=0.3", "spark.master=\"local[2]\"", "spark.conf.spark.ui.enabled=false");

    @TempDir
    Path tmp;

    @Test
    void resnet18RunsTheJobAndItsFinetunedModelStartsAnotherRun() throws Exception {
        Path data = tmp.resolve("images");
        writeFolder(data);
        Path first = tmp.resolve("first");
        assertEquals(0, pipeline(first, "data.path=" + data, "model.arch=resnet", "model.depth=18"));
        JsonNode a = report(first);
        assertTrue(a.at("/params/after").asLong() < a.at("/params/before").asLong(), a.at("/params").toString());
        assertEquals(11_178_051, a.at("/params/before").asLong(), "resnet-18 with 3 classes");
        assertEquals(0, Main.run("verify", first.toString()));

        // model.arch says vgg: ignored, the zip's own architecture is used; stop after sparsity training, resume
        Path second = tmp.resolve("second");
        String init = "model.init=\"" + first.resolve("finetuned.zip").toUri() + "\"";
        List<String> sets = List.of("data.path=" + data, "model.arch=vgg", "model.depth=11", init);
        assertEquals(0, pipeline(second, List.of("--until", "sparse"), sets));
        assertTrue(Files.exists(second.resolve("sparse.zip")) && !Files.exists(second.resolve("pruned.zip")));
        ComputationGraph finetuned = ModelSerializer.restoreComputationGraph(first.resolve("finetuned.zip").toFile());
        ComputationGraph sparse = ModelSerializer.restoreComputationGraph(second.resolve("sparse.zip").toFile());
        assertEquals(finetuned.getConfiguration().getVertices().keySet(), sparse.getConfiguration().getVertices().keySet());
        assertEquals(finetuned.numParams(), sparse.numParams());
        assertEquals(0, pipeline(second, List.of(), sets));
        JsonNode b = report(second);
        assertEquals(a.at("/params/after").asLong(), b.at("/params/before").asLong());
        assertTrue(b.at("/params/after").asLong() < b.at("/params/before").asLong());
        assertEquals(ModelStats.of(finetuned, new long[] {3, 16, 16}).params(), b.at("/params/before").asLong());
        JsonNode manifest = JSON.readTree(second.resolve("manifest.json").toFile());
        assertTrue(manifest.at("/lineage/sparse.zip").asText().startsWith("model.init "), manifest.toString());
        assertEquals(0, Main.run("verify", second.toString()));
    }

    private static int pipeline(Path output, String... sets) {
        return pipeline(output, List.of(), List.of(sets));
    }

    private static int pipeline(Path output, List<String> options, List<String> sets) {
        List<String> args = new ArrayList<>(List.of("pipeline"));
        args.addAll(options);
        List<String> all = new ArrayList<>(SMALL);
        all.addAll(sets);
        all.add("output=\"" + output.toUri() + "\"");
        all.forEach(s -> {
            args.add("--set");
            args.add(s);
        });
        return Main.run(args.toArray(String[]::new));
    }

    private static JsonNode report(Path run) throws IOException {
        return JSON.readTree(run.resolve("report.json").toFile());
    }

    /** train/ and val/ with three classes of 16x16 PNGs, each class brighter in its own colour. */
    private static void writeFolder(Path root) throws IOException {
        Random rnd = new Random(18);
        for (String split : List.of("train", "val")) {
            for (int c = 0; c < 3; c++) {
                File dir = root.resolve(split).resolve("class" + c).toFile();
                dir.mkdirs();
                for (int i = 0; i < (split.equals("train") ? 24 : 8); i++) {
                    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 16; x++) {
                            int base = rnd.nextInt(100);
                            img.setRGB(x, y, ((c == 0 ? 150 : 0) + base) << 16 | ((c == 1 ? 150 : 0) + base) << 8
                                    | ((c == 2 ? 150 : 0) + base));
                        }
                    }
                    ImageIO.write(img, "png", new File(dir, "img" + i + ".png"));
                }
            }
        }
    }
}
