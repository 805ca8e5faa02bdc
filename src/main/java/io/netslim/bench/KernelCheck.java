package io.netslim.bench;

import io.netslim.pipeline.Networks;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.runtime.BuildInfo;
import io.netslim.config.JobConfig;
import io.netslim.train.TrainingKernels;
import io.netslim.train.TrainingNetworks;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A few sparsity-training steps of the configured network from a saved start, on minibatches drawn on the host
 * from {@code train.seed} (the same on every machine), and the gammas they leave; and the comparison of two such
 * runs. {@code submit/gpu-check.sh} runs it on the CUDA jar and on the CPU jar: same start, same steps, so the
 * gammas may differ only by the two backends' float rounding.
 */
public final class KernelCheck {
    /** The start network a first run writes and a second run reads. */
    public static final String START = "start.zip";
    /** What a run writes next to it. */
    public static final String RESULT = "result.json";
    /** The input shape when model.input-shape is empty. */
    public static final long[] DEFAULT_SHAPE = {3, 32, 32};
    /** What must be equal in two results for their gammas to be comparable. */
    private static final List<String> SAME = List.of("steps", "batch", "input_shape", "seed", "sparsity_lambda",
            "lr", "start_sha256");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The verdict of {@link #compare}. */
    public record Verdict(boolean pass, String message) {
    }

    private KernelCheck() {
    }

    /**
     * Trains {@code steps} minibatches of {@code batch} from {@code start} (or, when null, from the configured network
     * built from {@code train.seed}, saved as {@code dir/start.zip}); writes and returns {@code dir/result.json}.
     */
    public static ObjectNode train(JobConfig cfg, int steps, int batch, Path start, Path dir) throws IOException {
        Files.createDirectories(dir);
        long[] shape = cfg.model().inputShape() != null ? cfg.model().inputShape() : DEFAULT_SHAPE;
        ComputationGraph stock;
        Path startFile = start != null ? start : dir.resolve(START);
        if (start == null) {
            stock = Networks.initialised(cfg, shape);
            ModelSerializer.writeModel(stock, startFile.toFile(), false);
        } else {
            stock = ModelSerializer.restoreComputationGraph(start.toFile(), false);
        }
        TrainingKernels.Choice kernels = TrainingKernels.here(cfg.train().kernels());
        ComputationGraph net = TrainingNetworks.forSparsityTraining(stock, cfg.train(), cfg.sparsityLambda(),
                kernels.kernels());
        net.setLearningRate(cfg.train().lr());
        SplittableRandom rnd = new SplittableRandom(cfg.train().seed());
        int classes = cfg.model().classes();
        ObjectNode out = JSON.createObjectNode();
        out.put("netslim", BuildInfo.VERSION).put("backend", TrainingKernels.backend())
                .put("kernels", kernels.kernels().id()).put("kernels_why", kernels.reason())
                .put("model", cfg.model().arch() + "-" + cfg.model().depth()).put("steps", steps).put("batch", batch)
                .put("input_shape", shape[0] + "x" + shape[1] + "x" + shape[2]).put("seed", cfg.train().seed())
                .put("sparsity_lambda", cfg.sparsityLambda()).put("lr", cfg.train().lr())
                .put("start_sha256", sha256(startFile));
        ArrayNode losses = out.putArray("loss");
        for (int s = 0; s < steps; s++) {
            net.fit(minibatch(rnd, batch, shape, classes));
            losses.add(net.score());
        }
        ObjectNode gammas = out.putObject("gammas");
        double moved = 0;
        for (org.deeplearning4j.nn.api.Layer layer : net.getLayers()) {
            if (layer.conf().getLayer() instanceof BatchNormalization) {
                String name = layer.conf().getLayer().getLayerName();
                float[] g = layer.getParam("gamma").castTo(DataType.FLOAT).toFloatVector();
                float[] g0 = stock.getLayer(name).getParam("gamma").castTo(DataType.FLOAT).toFloatVector();
                ArrayNode values = gammas.putArray(name);
                for (int i = 0; i < g.length; i++) {
                    values.add(g[i]);
                    moved = Math.max(moved, Math.abs(g[i] - g0[i]));
                }
            }
        }
        out.put("gamma_moved", moved);
        Files.writeString(dir.resolve(RESULT), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        return out;
    }

    /** Images of standard-normal pixels and uniformly drawn labels, from {@code rnd} alone. */
    private static DataSet minibatch(SplittableRandom rnd, int batch, long[] shape, int classes) {
        int size = (int) (shape[0] * shape[1] * shape[2]);
        float[] x = new float[batch * size];
        float[] y = new float[batch * classes];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) gaussian(rnd);
        }
        for (int n = 0; n < batch; n++) {
            y[n * classes + rnd.nextInt(classes)] = 1;
        }
        return new DataSet(Nd4j.create(x, new long[]{batch, shape[0], shape[1], shape[2]}, 'c'),
                Nd4j.create(y, new long[]{batch, classes}, 'c'));
    }

    /** Box-Muller from two uniform draws (SplittableRandom has no nextGaussian on Java 17). */
    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    /**
     * PASS when the two runs were the same check (start, steps, data, penalty) and no gamma differs by more than
     * {@code tolerance}; the message names the largest difference and where, or what makes them incomparable.
     */
    public static Verdict compare(JsonNode a, JsonNode b, String nameA, String nameB, double tolerance) {
        for (String key : SAME) {
            if (!a.path(key).equals(b.path(key))) {
                return new Verdict(false, "FAIL: the two runs are not the same check: " + key + " is " + a.path(key)
                        + " on " + nameA + " but " + b.path(key) + " on " + nameB);
            }
        }
        double max = -1;
        String where = "";
        for (Iterator<Map.Entry<String, JsonNode>> it = a.path("gammas").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> layer = it.next();
            JsonNode other = b.path("gammas").path(layer.getKey());
            if (other.size() != layer.getValue().size()) {
                return new Verdict(false, "FAIL: the two runs are not the same network: batch norm " + layer.getKey()
                        + " has " + layer.getValue().size() + " gammas on " + nameA + " and " + other.size() + " on "
                        + nameB);
            }
            for (int i = 0; i < other.size(); i++) {
                double d = Math.abs(layer.getValue().get(i).asDouble() - other.get(i).asDouble());
                if (!(d <= max)) { // NaN counts as the largest
                    max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                    where = layer.getKey() + ", channel " + i;
                }
            }
        }
        if (max < 0) {
            return new Verdict(false, "FAIL: no gammas to compare in " + nameA);
        }
        String detail = String.format("largest gamma difference %.3g (%s) after %d steps; tolerance %.3g; "
                        + "gammas moved up to %.3g during the steps; %s: ND4J backend %s, %s kernels; %s: ND4J backend %s, "
                        + "%s kernels", max, where, a.path("steps").asInt(), tolerance, a.path("gamma_moved").asDouble(),
                nameA, a.path("backend").asText(), a.path("kernels").asText(), nameB, b.path("backend").asText(),
                b.path("kernels").asText());
        return max <= tolerance ? new Verdict(true, "PASS: " + detail)
                : new Verdict(false, "FAIL: " + detail + ". The two do not train the same network the same way: "
                + "report the two result.json files with your CUDA, cuDNN and driver versions");
    }

    private static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
