package io.netslim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import io.netslim.bench.Benchmark;
import io.netslim.bench.ReadBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** netslim bench: training and inference speed of the configured model, as JSON. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure training (single node, with and without the sparsity term, and Spark parameter",
                "averaging), inference before and after pruning in DL4J and, exported to ONNX, in ONNX Runtime, and the",
                "machine's GEMM speed; medians after warm-up."})
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--runs", defaultValue = "3", description = "Timed repetitions per figure (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup-seconds", defaultValue = "20", description = "Untimed training before the training "
            + "figures are timed, here and in PyTorch: the JIT needs a few hundred steps (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--inference-only", description = "Only the pruning and inference figures (DL4J and ONNX "
            + "Runtime); no training, Spark or GEMM")
    boolean inferenceOnly;

    @Option(names = "--json", description = "Print one JSON object (otherwise indented JSON)")
    boolean json;

    @Option(names = "--read", description = "Only measure how fast the configured dataset reaches training: epochs of "
            + "minibatches assembled on the Spark executors and passes of the single-node stream, records/s (per "
            + "executor core), --runs timed epochs after one untimed")
    boolean read;

    @Option(names = "--averaging", description = "Only measure what a parameter-averaging round of the configured "
            + "model costs on the configured master: bytes of parameters and updater state, driver, broadcast and "
            + "treeAggregate times, compute per minibatch (random minibatches of the model's input shape), "
            + "--runs measured rounds after one untimed, at train.averaging-frequency (2 when auto)")
    boolean averaging;

    @Option(names = "--train-only", description = "Only single-node sparsity training of one graph, as a run trains: "
            + "--runs timed runs of 10 steps after the warm-up, each run's images/s, their median and the OpenMP "
            + "environment (one side of submit/bench-compare, which runs PyTorch in its own clean process)")
    boolean trainOnly;

    @Option(names = "--spark", description = "With --train-only: also Spark parameter averaging on the configured "
            + "master (spark_images_per_s) over a slice of the data, and its ratio to single-node training")
    boolean spark;

    @Option(names = "--quick", description = "Only single-node training, pruning at --ratios with random gammas, a few "
            + "fine-tuning steps of each pruned network and peak memory: minutes for ImageNet-sized models "
            + "(needs model.input-shape)")
    boolean quick;

    @Option(names = "--ratios", split = ",", description = "Prune ratios for --quick (default: prune.ratio)")
    List<Double> ratios;

    @Option(names = "--steps", defaultValue = "2", description = "Training steps per timed run for --quick "
            + "(default: ${DEFAULT-VALUE})")
    int steps;

    @Override
    public Integer call() throws Exception {
        JobConfig cfg = config.load();
        ObjectMapper mapper = new ObjectMapper();
        if (trainOnly && (inferenceOnly || quick || read || averaging)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--train-only cannot go with --inference-only, --quick, --read or --averaging");
        }
        if (spark && !trainOnly) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--spark goes with --train-only (plain bench always measures Spark)");
        }
        if (quick) {
            ObjectNode result = new io.netslim.bench.QuickBenchmark(cfg, runs, steps, warmupSeconds,
                    ratios == null ? List.of(cfg.prune().ratio()) : ratios).run();
            System.out.println(mapper.writeValueAsString(result));
            return ExitCodes.OK;
        }
        if (averaging) {
            ObjectNode result = new io.netslim.bench.AveragingBenchmark(cfg, runs).run();
            System.out.println(json ? mapper.writeValueAsString(result)
                    : mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            return ExitCodes.OK;
        }
        if (read) {
            ObjectNode result = new ReadBenchmark(cfg, runs).run();
            System.out.println(json ? mapper.writeValueAsString(result)
                    : mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result));
            return ExitCodes.OK;
        }
        Benchmark bench = new Benchmark(cfg, runs, warmupSeconds, inferenceOnly);
        ObjectNode result = trainOnly ? bench.trainOnly(spark) : bench.run();
        System.out.println(json ? mapper.writeValueAsString(result)
                : mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        return ExitCodes.OK;
    }
}
