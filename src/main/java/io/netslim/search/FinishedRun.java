package io.netslim.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.OutputException;
import io.netslim.artifacts.RunLedger;
import io.netslim.artifacts.Stage;
import io.netslim.config.ConfigException;
import io.netslim.config.ConfigLoader;
import io.netslim.config.JobConfig;
import io.netslim.config.JobConfigReader;
import io.netslim.data.Normalization;
import io.netslim.pipeline.Normalizations;
import io.netslim.report.MetricsLog;
import io.netslim.report.ReportRenderer;
import io.netslim.runtime.BuildInfo;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run folder opened once by the commands that read or add to a finished run (sweep, search, export): its config
 * (run.json's, over today's reference.conf), its ledger, its sparse model checked against the ledger, and the report
 * redrawn at the end. Whatever is wrong with the folder (missing, not finished, run.json damaged) is an
 * {@link OutputException} naming the file, as {@code verify} reports a run that did not finish (exit 5).
 */
public final class FinishedRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArtifactStore store;
    private final RunLedger ledger;
    private final List<String> sets;
    private final JobConfig config;
    private boolean sparseChecked;

    private FinishedRun(ArtifactStore store, List<String> sets) {
        this.store = store;
        this.ledger = new RunLedger(store);
        this.sets = List.copyOf(sets);
        this.config = recordedConfig(store, this.sets);
    }

    /**
     * The finished run in {@code uri} for {@code command} (its messages name it), read and written with
     * {@code hadoop}; {@code sets} (key=value, already checked by the caller) go over the recorded config.
     */
    public static FinishedRun open(String command, String uri, Configuration hadoop, List<String> sets) {
        ArtifactStore store = ArtifactStore.existing(uri, hadoop);
        if (!store.exists(RunLedger.SUCCESS)) {
            throw new ConfigException(command + ": " + store.uri() + " is not a finished run (no _SUCCESS)");
        }
        return new FinishedRun(store, sets);
    }

    /**
     * The run holding the model zip {@code modelUri} (its folder, or the one above for pass-N/), finished or still
     * running (a stage run with --until); empty when the model is not part of a run.
     */
    public static Optional<FinishedRun> holding(String modelUri, Configuration hadoop) {
        Path folder = new Path(modelUri).getParent();
        for (int up = 0; up < 2 && folder != null; up++, folder = folder.getParent()) {
            ArtifactStore store = ArtifactStore.find(folder.toString(), hadoop);
            if (store != null && store.exists(RunLedger.RUN)) {
                return Optional.of(new FinishedRun(store, List.of()));
            }
        }
        return Optional.empty();
    }

    /** The same run read and written with {@code hadoop} (e.g. the Hadoop settings of the run's own config). */
    public FinishedRun with(Configuration hadoop) {
        return new FinishedRun(ArtifactStore.existing(store.uri(), hadoop), sets);
    }

    /** The config the run was started with (run.json), over today's defaults, with the given sets on top. */
    public JobConfig config() {
        return config;
    }

    public ArtifactStore store() {
        return store;
    }

    public RunLedger ledger() {
        return ledger;
    }

    /** The normalization the run trained with. */
    public Normalization normalization() {
        return Normalizations.ofFinishedRun(config, store);
    }

    /** The last pass's sparse model, checked against the checksum its stage recorded. */
    public ComputationGraph sparseModel() {
        return store.readModel(checkedSparse(), false);
    }

    /** The last pass's sparse model zip as bytes (to send to executors), checked like {@link #sparseModel}. */
    public byte[] sparseZip() {
        return store.readBytes(checkedSparse());
    }

    private String checkedSparse() {
        String file = Stage.SPARSE.file(config.passes(), config.passes());
        if (!sparseChecked) {
            ledger.check(Stage.SPARSE.key(config.passes()), file);
            sparseChecked = true;
        }
        return file;
    }

    /** Redraws plots and report.html from the run's files, commits them, and writes manifest.json and _SUCCESS again. */
    public void redrawAndFinish(Map<String, String> lineage) {
        List<String> reportFiles = new ArrayList<>(List.of(ReportRenderer.REPORT));
        if (store.exists(MetricsLog.FILE)) {
            reportFiles.add(MetricsLog.FILE);
        }
        reportFiles.addAll(ReportRenderer.render(store));
        ledger.commit("report", reportFiles, ledger.record("report"));
        ledger.finish(BuildInfo.VERSION, lineage);
        store.removeTemporaries();
    }

    private static JobConfig recordedConfig(ArtifactStore store, List<String> sets) {
        JsonNode run;
        try {
            run = JSON.readTree(store.readText(RunLedger.RUN));
        } catch (JsonProcessingException e) {
            throw new OutputException(store.uri(RunLedger.RUN) + ": not valid JSON (" + e.getOriginalMessage() + ")", e);
        }
        JsonNode config = run == null ? null : run.get("config");
        if (config == null || !config.isObject()) {
            throw new OutputException(store.uri(RunLedger.RUN) + ": no config object (not a netslim run.json)");
        }
        return JobConfigReader.read(ConfigLoader.overrides(sets).withFallback(ConfigLoader.stored(config.toString()))
                .resolve());
    }
}
