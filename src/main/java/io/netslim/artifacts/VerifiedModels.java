package io.netslim.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;

/** Loads a model zip; when it belongs to a finished run, its checksum is checked against the manifest first. */
public final class VerifiedModels {
    private static final ObjectMapper JSON = new ObjectMapper();

    private VerifiedModels() {
    }

    public static ComputationGraph read(String uri, Configuration hadoop) {
        Path file = new Path(uri);
        // The run folder is the model's folder, or its parent for an earlier pass (pass-N/).
        for (Path dir = file.getParent(); dir != null && dir.depth() >= file.depth() - 2; dir = dir.getParent()) {
            ArtifactStore run = ArtifactStore.find(dir.toString(), hadoop);
            if (run == null || !run.exists(RunLedger.MANIFEST)) {
                continue;
            }
            String relative = file.toUri().getPath().substring(dir.toUri().getPath().length() + 1);
            try {
                for (JsonNode f : JSON.readTree(run.readText(RunLedger.MANIFEST)).get("files")) {
                    if (f.get("path").asText().equals(relative)
                            && !run.sha256(relative).equals(f.get("sha256").asText())) {
                        throw new OutputException("model " + uri + ": SHA-256 differs from " + run.uri(RunLedger.MANIFEST)
                                + "; the file was changed or damaged");
                    }
                }
            } catch (IOException e) {
                throw new OutputException(run.uri(RunLedger.MANIFEST) + ": not valid JSON", e);
            }
            break;
        }
        return ArtifactStore.readModel(uri, hadoop);
    }
}
