package io.netslim.train;

import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.OutputException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Checkpoints of sparsity training under {@code <output>/_checkpoints/<scope>/}: each one a folder with
 * {@code model.zip} (network and updater state) and then {@code state.json} (the position to continue from,
 * the averaging frequency its chunks were cut at, and the model's SHA-256), written last so a checkpoint counts only when complete. The newest two are kept.
 */
public final class RunCheckpoints implements CheckpointStore {
    private static final Logger LOG = LoggerFactory.getLogger(RunCheckpoints.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEEP = 2;
    private final ArtifactStore store;
    private final String dir;

    public RunCheckpoints(ArtifactStore store, String scope) {
        this.store = store;
        this.dir = "_checkpoints/" + scope;
    }

    @Override
    public void save(ComputationGraph net, TrainingPosition next) {
        String name = String.format("e%04d-c%04d", next.epoch(), next.chunk());
        String model = dir + "/" + name + "/model.zip";
        store.writeModel(model, net, true);
        // The data order and augmentation of an epoch derive from train.seed and the epoch, so (epoch, chunk)
        // is the whole random state needed to continue identically; the iteration count is in the model.
        // The averaging frequency is recorded because auto chooses it from timings: a resumed run cuts its
        // chunks at the same one; the warm-up's start, so that a resumed run's rate follows the same ramp.
        String state = JSON.createObjectNode().put("epoch", next.epoch()).put("chunk", next.chunk())
                .put("averaging_frequency", next.averagingFrequency())
                .put("warmup_start", next.warmupStart())
                .put("iteration", net.getConfiguration().getIterationCount())
                .put("model_sha256", store.sha256(model)).toString();
        store.writeText(dir + "/" + name + "/state.json", state);
        LOG.info("checkpoint {} saved (continues at epoch {}, chunk {})", store.uri(dir + "/" + name),
                next.epoch() + 1, next.chunk() + 1);
        List<String> all = store.list(dir);
        for (int i = 0; i < all.size() - KEEP; i++) {
            store.delete(dir + "/" + all.get(i));
        }
    }

    @Override
    public Optional<Checkpoint> latest() {
        List<String> names = new ArrayList<>(store.list(dir));
        Collections.reverse(names);
        for (String name : names) {
            String base = dir + "/" + name;
            try {
                JsonNode state = JSON.readTree(store.readText(base + "/state.json"));
                String actual = store.sha256(base + "/model.zip");
                if (!actual.equals(state.get("model_sha256").asText())) {
                    throw new OutputException("model.zip does not match its recorded SHA-256");
                }
                ComputationGraph net = store.readModel(base + "/model.zip", true);
                return Optional.of(new Checkpoint(net,
                        new TrainingPosition(state.get("epoch").asInt(), state.get("chunk").asInt(),
                        state.path("averaging_frequency").asInt(0), state.path("warmup_start").asInt(-1)),
                        store.uri(base)));
            } catch (Exception e) {
                LOG.warn("skipping damaged checkpoint {}: {}", store.uri(base), e.getMessage());
            }
        }
        return Optional.empty();
    }
}
