package io.netslim.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.Main;
import io.netslim.testing.TestNets;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 8 workers on Spark local[2] (more workers than cores), against one worker on the same 4,096 Fashion-MNIST
 * images: ResNet-8, 6 epochs of batch 16, lambda 5e-3, train.lr 0.2, pruned at 0.4 before any fine-tuning.
 * The default rule (sqrt: lr x 2.83 after a warm-up of 48 sequential steps) trains and polarises the gammas;
 * the linear rule of before (lr x 8 = 1.6 from the first step, no warm-up under 10 epochs) does not train.
 */
@Tag("e2e")
class EightWorkersSparsityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How far 8 workers' sparse accuracy may fall below one worker's under the default rule: they take 192
     * sequential steps against one worker's 1,536, so they do not match it. Measured here, single runs of these
     * settings (2,000 test images): one worker 0.711, 8 workers 0.602 under sqrt and 0.284 under linear, so the
     * bars leave 4 points of other floating-point rounding or CPUs on the one side and 17 on the other.
     */
    private static final double BELOW_ONE_WORKER = 0.15;
    /** The linear rule's failure: at least this far below one worker's. */
    private static final double LINEAR_BELOW = 0.25;
    /** What pruning 40% may cost before fine-tuning on polarised gammas (measured: 0.0135 under sqrt). */
    private static final double PRUNING_COST = 0.03;

    @TempDir
    static Path tmp;

    @Test
    void eightWorkersTrainAndPolariseUnderTheDefaultRuleAndNotUnderLinear() throws Exception {
        JsonNode one = run("one", 1, "sqrt");
        JsonNode sqrt = run("sqrt", 8, "sqrt");
        JsonNode linear = run("linear", 8, "linear");
        double oneSparse = sparse(one);
        System.out.printf("sparse / pruned 40%%: 1 worker %.4f / %.4f, 8 sqrt %.4f / %.4f, 8 linear %.4f / %.4f%n",
                oneSparse, pruned(one), sparse(sqrt), pruned(sqrt), sparse(linear), pruned(linear));
        assertTrue(oneSparse > 0.6, "one worker reached " + oneSparse + ": the set is not learnt, the test says nothing");
        assertEquals(8, sqrt.at("/stages/sparse/worker_scaling/workers").asInt());
        assertTrue(sparse(sqrt) >= oneSparse - BELOW_ONE_WORKER,
                "8 workers under sqrt: sparse accuracy " + sparse(sqrt) + " against one worker's " + oneSparse);
        assertTrue(sparse(sqrt) - pruned(sqrt) <= PRUNING_COST,
                "8 workers under sqrt: pruning 40% cost " + (sparse(sqrt) - pruned(sqrt)) + ": the gammas did not polarise");
        assertTrue(sparse(linear) < oneSparse - LINEAR_BELOW,
                "the linear rule trained to " + sparse(linear) + ": the test cannot tell the rules apart");
    }

    private static double sparse(JsonNode record) {
        return record.at("/stages/sparse/test_accuracy").asDouble();
    }

    private static double pruned(JsonNode record) {
        return record.at("/stages/pruned/test_accuracy").asDouble();
    }

    /** Sparsity training and pruning on {@code workers} workers; the prune stage's ledger record. */
    private static JsonNode run(String name, int workers, String rule) throws Exception {
        Path out = tmp.resolve(name);
        List<String> args = new ArrayList<>(List.of("pipeline", "--until", "prune"));
        for (String s : List.of("data.path=\"" + TestNets.fashionMnist() + "\"", "data.limit-train=4096",
                "data.limit-test=2000", "model.depth=8", "sparsity.lambda=5e-3", "train.epochs=6",
                "train.batch-size=16", "train.lr=0.2", "train.workers=" + workers, "train.worker-scaling=" + rule,
                "prune.ratio=0.4", "eval.monitor-images=0", "export.onnx=false", "spark.master=\"local[2]\"",
                "spark.conf.spark.ui.enabled=false", "output=\"" + out.toUri() + "\"")) {
            args.add("--set");
            args.add(s);
        }
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        return JSON.readTree(out.resolve("_stages").resolve("pass-1-prune.json").toFile()).path("record");
    }
}
