package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.data.Datasets;
import io.netslim.data.Split;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
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
 * their published random order train to the same accuracy, on 2 and on 4 workers (Spark local[2]): the order
 * data is stored in no longer matters. (Before global shuffling, class order cost 20 points on 2 workers.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("e2e")
class ClassOrderedTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TRAIN = 9_000;
    /**
     * Allowed difference in test accuracy. Measured with these settings on 4 workers, two seeds each: sparse 0.8010
     * and 0.7929 in random order, 0.7995 and 0.7915 in class order; fine-tuned 0.7912, 0.7743, 0.7830, 0.7790.
     */
    private static final double POINTS = 0.02;

    @TempDir
    static Path tmp;
    private String classOrder;
    private String randomOrder;

    @BeforeAll
    void writeData() throws Exception {
        Datasets.Images train = Datasets.fashionMnist(Split.TRAIN, TRAIN);
        Datasets.Images test = Datasets.fashionMnist(Split.TEST, 10_000);
        classOrder = tmp.resolve("class").toUri().toString();
        randomOrder = tmp.resolve("random").toUri().toString();
        Datasets.writeIdx(classOrder, train.classOrdered(), test.classOrdered(), true);
        Datasets.writeIdx(randomOrder, train, test, true);
    }

    @Test
    void twoWorkers() throws Exception {
        assertSameAccuracy(pipeline("random-2", randomOrder, 2), pipeline("class-2", classOrder, 2),
                "class order, 2 workers");
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

    /** A small pipeline run (ResNet-8, 6 epochs of batch 32, 30% pruned, one fine-tuning epoch); its report. */
    private JsonNode pipeline(String name, String data, int workers) throws Exception {
        Path out = tmp.resolve("runs").resolve(name);
        List<String> args = new ArrayList<>(List.of("pipeline"));
        // The optimiser whose run-to-run spread was measured (about a point, docs/performance.md): the subject here
        // is the storage order; 4 workers at the linear rule's lr 0.4 with no warm-up (6 epochs) spread by 2 points.
        for (String s : List.of("data.path=\"" + data + "\"", "train.workers=" + workers, "model.depth=8",
                "train.worker-scaling=none", "train.nesterov=true",
                "train.epochs=6", "train.batch-size=32", "finetune.epochs=1", "finetune.lr=0.02", "prune.ratio=0.3",
                "eval.monitor-images=0", "export.onnx=false", "spark.master=\"local[2]\"",
                "spark.conf.spark.ui.enabled=false", "output=\"" + out.toUri() + "\"")) {
            args.add("--set");
            args.add(s);
        }
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        return JSON.readTree(out.resolve("report.json").toFile());
    }
}
