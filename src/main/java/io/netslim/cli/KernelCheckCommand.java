package io.netslim.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.config.ConfigException;
import io.netslim.bench.KernelCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** netslim kernel-check: the two halves of submit/gpu-check.sh (a few training steps; comparing two runs). */
@Command(name = "kernel-check", mixinStandardHelpOptions = true,
        description = {"Train a few sparsity-training steps from a saved start on fixed synthetic minibatches and "
                + "write the gammas (--out), or compare two such runs (--compare). submit/gpu-check.sh runs both "
                + "on the CUDA jar and the CPU jar."})
public final class KernelCheckCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Train and write DIR/result.json (and DIR/start.zip without --start)")
    Path out;

    @Option(names = "--start", paramLabel = "FILE", description = "Start from this model zip (another run's start.zip)")
    Path start;

    @Option(names = "--steps", defaultValue = "5", description = "Training steps (default ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--batch", defaultValue = "32", description = "Minibatch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--compare", arity = "2", paramLabel = "RESULT", description = "Compare two result.json files")
    List<Path> compare;

    @Option(names = "--tolerance", defaultValue = "1e-3",
            description = "Largest gamma difference that passes (default ${DEFAULT-VALUE})")
    double tolerance;

    @Override
    public Integer call() throws IOException {
        if ((out == null) == (compare == null)) {
            throw new ConfigException("kernel-check: give either --out DIR (train) or --compare A B");
        }
        if (compare != null) {
            if (!(tolerance >= 0)) {
                throw new ConfigException("kernel-check --tolerance " + tolerance + ": expected a number >= 0");
            }
            ObjectMapper json = new ObjectMapper();
            JsonNode a = json.readTree(read(compare.get(0)));
            JsonNode b = json.readTree(read(compare.get(1)));
            KernelCheck.Verdict v = KernelCheck.compare(a, b, compare.get(0).toString(), compare.get(1).toString(),
                    tolerance);
            System.out.println(v.message());
            return v.pass() ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
        }
        if (steps < 1 || batch < 1) {
            throw new ConfigException("kernel-check: --steps and --batch must be >= 1 (got " + steps + ", " + batch + ")");
        }
        if (start != null && !Files.isRegularFile(start)) {
            throw new ConfigException("kernel-check --start " + start + ": no such file");
        }
        JsonNode r = KernelCheck.train(config.load(), steps, batch, start, out);
        System.out.println("kernel-check: " + steps + " steps on ND4J backend " + r.get("backend").asText() + " with "
                + r.get("kernels").asText() + " kernels; gammas in " + out.resolve(KernelCheck.RESULT));
        return ExitCodes.OK;
    }

    private static String read(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new ConfigException("kernel-check --compare: " + p + " is not a file");
        }
        return Files.readString(p);
    }
}
