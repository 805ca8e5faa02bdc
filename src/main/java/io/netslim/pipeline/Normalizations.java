package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.RunLedger;
import io.netslim.config.ConfigException;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.Normalization;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * Which per-channel normalization a run uses ({@code data.normalize}): none, the configured values, or
 * statistics computed once on the executors and committed as the run's {@code normalization.json}, which
 * resumed runs, {@code sweep} and {@code evaluate} read back.
 */
public final class Normalizations {
    static final String FILE = "normalization.json";
    private static final String STAGE = "data";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(Normalizations.class);

    private Normalizations() {
    }

    /** The run's normalization, computing and committing it when data.normalize = auto and not done yet. */
    static Normalization forRun(JobConfig cfg, ImageSource data, RunLedger ledger, ArtifactStore store,
                                Supplier<org.apache.spark.api.java.JavaSparkContext> spark) {
        return switch (cfg.data().normalize()) {
            case "given" -> new Normalization(cfg.data().mean(), cfg.data().std());
            case "auto" -> {
                if (ledger.isDone(STAGE)) {
                    ledger.check(STAGE, FILE);
                    yield read(store, store.uri(FILE));
                }
                long t0 = System.nanoTime();
                Normalization n = data.channelStats(spark.get());
                store.writeText(FILE, json(n));
                ledger.commit(STAGE, List.of(FILE), JSON.createObjectNode());
                LOG.info("data: per-channel {} from {} training images in {} s", n, data.trainCount(),
                        String.format("%.1f", (System.nanoTime() - t0) / 1e9));
                yield n;
            }
            default -> Normalization.NONE;
        };
    }

    /** The normalization of a finished run (its normalization.json under data.normalize = auto). */
    public static Normalization ofFinishedRun(JobConfig cfg, ArtifactStore run) {
        if (!cfg.data().normalize().equals("auto")) {
            return cfg.data().normalize().equals("given") ? new Normalization(cfg.data().mean(), cfg.data().std())
                    : Normalization.NONE;
        }
        if (!run.exists(FILE)) {
            throw new ConfigException("data.normalize = auto: " + run.uri(FILE) + " does not exist (give "
                    + "data.normalize = given with the run's data.mean and data.std instead)");
        }
        return read(run, run.uri(FILE));
    }

    /**
     * The normalization a model was trained with: the configured one, or under data.normalize = auto the
     * normalization.json of the run holding the model (its folder or, for pass-N/ models, the one above).
     */
    public static Normalization forModel(JobConfig cfg, String modelUri, org.apache.hadoop.conf.Configuration hadoop) {
        if (!cfg.data().normalize().equals("auto")) {
            return ofFinishedRun(cfg, null);
        }
        org.apache.hadoop.fs.Path folder = new org.apache.hadoop.fs.Path(modelUri).getParent();
        for (int up = 0; up < 2 && folder != null; up++, folder = folder.getParent()) {
            ArtifactStore run = ArtifactStore.find(folder.toString(), hadoop);
            if (run != null && run.exists(FILE)) {
                return read(run, run.uri(FILE));
            }
        }
        throw new ConfigException("data.normalize = auto: no " + FILE + " next to " + modelUri + " or in the "
                + "folder above (give data.normalize = given with the run's data.mean and data.std instead)");
    }

    static String json(Normalization n) {
        ObjectNode o = JSON.createObjectNode();
        for (float m : n.mean()) {
            o.withArray("mean").add(m);
        }
        for (float s : n.std()) {
            o.withArray("std").add(s);
        }
        return o.toPrettyString();
    }

    private static Normalization read(ArtifactStore store, String uri) {
        try {
            JsonNode o = JSON.readTree(store.readText(FILE));
            float[] mean = new float[o.path("mean").size()];
            float[] std = new float[o.path("std").size()];
            for (int i = 0; i < mean.length; i++) {
                mean[i] = (float) o.path("mean").get(i).asDouble();
            }
            for (int i = 0; i < std.length; i++) {
                std[i] = (float) o.path("std").get(i).asDouble();
            }
            return new Normalization(mean, std);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new io.netslim.artifacts.OutputException(uri + ": not a normalization file (" + e.getMessage() + ")", e);
        }
    }
}
