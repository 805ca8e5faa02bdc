package io.netslim.report;

import io.netslim.artifacts.ArtifactStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.metrics.EpochMetrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * metrics.jsonl: one JSON line per training epoch (stage, pass, epoch, loss, lr, images/s, seconds and the
 * accuracy on monitoring slices of the training and test sets), rewritten after every epoch so a notebook can plot a
 * run that is still going. A resumed run keeps the lines already there.
 */
public final class MetricsLog {
    public static final String FILE = "metrics.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ArtifactStore store;
    private final List<String> lines = new ArrayList<>();

    public MetricsLog(ArtifactStore store) {
        this.store = store;
        if (store.exists(FILE)) {
            Arrays.stream(store.readText(FILE).split("\n")).filter(l -> !l.isBlank()).forEach(lines::add);
        }
    }

    public synchronized void append(int pass, EpochMetrics m, double trainAccuracy, double testAccuracy) {
        ObjectNode line = JSON.createObjectNode();
        line.put("pass", pass).put("stage", m.stage()).put("epoch", m.epoch()).put("epochs", m.epochs())
                .put("loss", m.loss()).put("lr", m.lr()).put("images_per_s", m.imagesPerSecond())
                .put("seconds", m.seconds()).put("train_accuracy", trainAccuracy).put("test_accuracy", testAccuracy);
        lines.add(line.toString());
        store.writeText(FILE, String.join("\n", lines) + "\n");
    }
}
