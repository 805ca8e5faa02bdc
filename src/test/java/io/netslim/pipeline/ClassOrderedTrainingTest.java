package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.data.Datasets;
import io.netslim.data.Split;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same 9,000 Fashion-MNIST images (more than one fine-tuning chunk of 8,192) stored class by class and in
 * their published random order train to the same accuracy, on 2 and on 4 workers (Spark local[2]), and so do
 * shards prepared from the class-ordered copy: the order data is stored in no longer matters.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClassOrderedTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRAIN = 9_000;
    /** Allowed difference in test accuracy (the bound; runs of one order differ by about a point). */
    private static final double POINTS = 0.02;

    @TempDir
    static Path tmp;
    private String classOrder;
    private String randomOrder;

    @BeforeAll
    void writeData() throws Exception {
        Datasets.Images train = Datasets.fashionMnist(Split.TRAIN, TRAIN);
        Datasets.Images test = Datasets.fashionMnist(Split.TEST, 2_000);
        classOrder = tmp.resolve("class").toUri().toString();
        randomOrder = tmp.resolve("random").toUri().toString();
        Datasets.writeIdx(classOrder, train.classOrdered(), test.classOrdered(), true);
        Datasets.writeIdx(randomOrder, train, test, true);
    }

    @Test
    void twoWorkers() throws Exception {
        JsonNode random = pipeline("random-2", randomOrder, 2);
        assertSameAccuracy(random, pipeline("class-2", classOrder, 2), "class order, 2 workers");
        String shards = tmp.resolve("shards").toUri().toString();
        assertEquals(0, Main.run(args(List.of("prepare", "--to", shards, "--shard-size", "500"),
                "data.path=\"" + classOrder + "\"")));
        assertSameAccuracy(random, pipeline("shards-2", shards, 2, "data.format=shards"),
                "shards prepared from the class order, 2 workers");
    }

    @Test
    void fourWorkers() throws Exception {
        assertSameAccuracy(pipeline("random-4", randomOrder, 4), pipeline("class-4", classOrder, 4),
                "class order, 4 workers");
    }

    private static void assertSameAccuracy(JsonNode random, JsonNode other, String what) {
        for (String stage : List.of("sparse", "finetuned")) {
            double a = random.at("/stages/" + stage + "/test_accuracy").asDouble();
            double b = other.at("/stages/" + stage + "/test_accuracy").asDouble();
            assertTrue(a > 0.7, stage + " accuracy " + a + " in random order: training did not learn");
            assertTrue(Math.abs(a - b) <= POINTS, what + ": " + stage + " test accuracy " + b + " against " + a
                    + " in random order");
        }
    }

    private JsonNode pipeline(String name, String data, int workers, String... more) throws Exception {
        Path out = tmp.resolve("runs").resolve(name);
        List<String> sets = new ArrayList<>(List.of("data.path=\"" + data + "\"", "train.workers=" + workers,
                "output=\"" + out.toUri() + "\""));
        sets.addAll(List.of(more));
        assertEquals(0, Main.run(args(List.of("pipeline"), sets.toArray(String[]::new))));
        return JSON.readTree(out.resolve("report.json").toFile());
    }

    /** The command with the test's small settings and {@code sets} as --set options. */
    private static String[] args(List<String> command, String... sets) {
        List<String> args = new ArrayList<>(command);
        List<String> all = new ArrayList<>(List.of("model.depth=8", "train.epochs=3", "finetune.epochs=1",
                "prune.ratio=0.3", "eval.monitor-images=0", "spark.master=\"local[2]\"",
                "spark.conf.spark.ui.enabled=false"));
        all.addAll(List.of(sets));
        for (String s : all) {
            args.add("--set");
            args.add(s);
        }
        return args.toArray(String[]::new);
    }
}
