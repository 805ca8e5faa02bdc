package io.netslim.search;

import io.netslim.pipeline.SlimmingPipeline;
import io.netslim.artifacts.ArtifactStore;
import io.netslim.report.MetricsLog;
import io.netslim.report.ReportRenderer;
import io.netslim.artifacts.RunLedger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a command that adds to a finished run (sweep, search) does last: redraw the report, rewrite the manifest. */
final class FinishedRuns {
    private FinishedRuns() {
    }

    /** Redraws plots and report.html from the run's files, commits them, and writes manifest.json and _SUCCESS again. */
    static void redrawAndFinish(ArtifactStore store, RunLedger ledger, Map<String, String> lineage) {
        List<String> reportFiles = new ArrayList<>(List.of(SlimmingPipeline.REPORT));
        if (store.exists(MetricsLog.FILE)) {
            reportFiles.add(MetricsLog.FILE);
        }
        reportFiles.addAll(ReportRenderer.render(store));
        ledger.commit("report", reportFiles, ledger.record("report"));
        ledger.finish(io.netslim.runtime.BuildInfo.VERSION, lineage);
        store.removeTemporaries();
    }
}
