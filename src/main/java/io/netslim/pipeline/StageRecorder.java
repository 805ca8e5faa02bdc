package io.netslim.pipeline;

import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.RunLedger;
import io.netslim.artifacts.Stage;
import io.netslim.report.RunReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place a finished stage is recorded: its network and files written to the pass folder, its part of the
 * report added and committed to the run ledger with the files' checksums, and its summary line logged.
 */
final class StageRecorder {
    /** The job's logger: the summary lines read as the pipeline's. */
    private static final Logger LOG = LoggerFactory.getLogger(SlimmingPipeline.class);

    private final ArtifactStore store;
    private final RunLedger ledger;

    StageRecorder(ArtifactStore store, RunLedger ledger) {
        this.store = store;
        this.ledger = ledger;
    }

    /**
     * Records {@code result} of pass {@code pass} of {@code passes} into {@code report} (the pass's section) and the
     * ledger, logs its summary after {@code label}; returns its network.
     */
    ComputationGraph record(StageResult result, int pass, int passes, RunReport.Section report, String label) {
        String folder = Stage.folder(pass, passes);
        result.addTo(report);
        String model = folder + result.stage().file;
        store.writeModel(model, result.model());
        List<String> files = new ArrayList<>(List.of(model));
        result.texts().forEach((name, text) -> {
            store.writeText(folder + name, text);
            files.add(folder + name);
        });
        result.written().forEach(name -> files.add(folder + name));
        ledger.commit(result.stage().key(pass), files, report.snapshot());
        LOG.info("{}{}", label, result.summary());
        return result.model();
    }
}
