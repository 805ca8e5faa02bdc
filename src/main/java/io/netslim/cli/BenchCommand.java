package io.netslim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netslim.bench.AveragingBenchmark;
import io.netslim.bench.Benchmark;
import io.netslim.bench.QuickBenchmark;
import io.netslim.bench.ReadBenchmark;
import io.netslim.config.JobConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** netslim bench: training and inference speed of the configured model, as JSON; one subcommand per narrower bench. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training (single node, with and without the sparsity term, and Spark parameter "
                + "averaging), inference before and after pruning in DL4J and, exported to ONNX, in ONNX "
                + "Runtime, and the machine's GEMM speed; medians after warm-up. The subcommands measure "
                + "one part alone.",
        subcommands = {BenchCommand.Inference.class, BenchCommand.TrainOnly.class, BenchCommand.Averaging.class,
                BenchCommand.Read.class, BenchCommand.Quick.class})
public final class BenchCommand implements Callable<Integer> {
    @Mixin
    BenchOptions options;

    @Override
    public Integer call() throws Exception {
        return options.print(new Benchmark(options.load(), options.runs, options.warmupSeconds, false).run());
    }

    /** bench inference: the pruning and inference figures alone. */
    @Command(name = "inference", mixinStandardHelpOptions = true,
            header = "The pruning and inference figures alone (DL4J and ONNX Runtime).",
            description = "Only the pruning and inference figures (DL4J and ONNX Runtime); no training, Spark or GEMM")
    static final class Inference implements Callable<Integer> {
        @Mixin
        BenchOptions options;

        @Override
        public Integer call() throws Exception {
            return options.print(new Benchmark(options.load(), options.runs, options.warmupSeconds, true).run());
        }
    }

    /** bench train-only: single-node sparsity training (netslim's side of submit/bench-compare). */
    @Command(name = "train-only", mixinStandardHelpOptions = true,
            header = "Single-node sparsity-training speed (with --spark, also Spark's).",
            description = "Only single-node sparsity training of one graph, as a run trains: --runs timed runs of "
                + "10 steps after the warm-up, each run's images/s, their median and the OpenMP environment "
                + "(one side of submit/bench-compare, which runs PyTorch in its own clean process)")
    static final class TrainOnly implements Callable<Integer> {
        @Mixin
        BenchOptions options;

        @Option(names = "--spark", description = "Also Spark parameter averaging on the configured master "
                + "(spark_images_per_s) over a slice of the data, and its ratio to single-node training")
        boolean spark;

        @Override
        public Integer call() throws Exception {
            return options.print(new Benchmark(options.load(), options.runs, options.warmupSeconds, false)
                    .trainOnly(spark));
        }
    }

    /** bench averaging: what one parameter-averaging round costs on the configured master. */
    @Command(name = "averaging", mixinStandardHelpOptions = true,
            header = "What one parameter-averaging round costs on the configured master.",
            description = "Only what a parameter-averaging round of the configured model costs on the configured "
                + "master: bytes of parameters and updater state, driver, broadcast and treeAggregate "
                + "times, compute per minibatch (random minibatches of the model's input shape), --runs "
                + "measured rounds after one untimed, at train.averaging-frequency (2 when auto)")
    static final class Averaging implements Callable<Integer> {
        @Mixin
        BenchOptions options;

        @Override
        public Integer call() throws Exception {
            return options.print(new AveragingBenchmark(options.load(), options.runs).run());
        }
    }

    /** bench read: how fast the configured dataset reaches training. */
    @Command(name = "read", mixinStandardHelpOptions = true,
            header = "How fast the configured dataset reaches training.",
            description = "Only how fast the configured dataset reaches training: epochs of minibatches assembled "
                + "on the Spark executors and passes of the single-node stream, records/s (per executor "
                + "core), --runs timed epochs after one untimed")
    static final class Read implements Callable<Integer> {
        @Mixin
        BenchOptions options;

        @Override
        public Integer call() throws Exception {
            return options.print(new ReadBenchmark(options.load(), options.runs).run());
        }
    }

    /** bench quick: the figures of an ImageNet-sized model that fit in minutes, in one JSON line. */
    @Command(name = "quick", mixinStandardHelpOptions = true,
            header = "The figures of an ImageNet-sized model in minutes (needs model.input-shape).",
            description = "Only single-node training, pruning at --ratios with random gammas, a few fine-tuning "
                + "steps of each pruned network and peak memory, in one JSON line: minutes for "
                + "ImageNet-sized models (needs model.input-shape)")
    static final class Quick implements Callable<Integer> {
        @Mixin
        BenchOptions options;

        @Option(names = "--ratios", split = ",", description = "Prune ratios (default: prune.ratio)")
        List<Double> ratios;

        @Option(names = "--steps", defaultValue = "2", description = "Training steps per timed run "
                + "(default: ${DEFAULT-VALUE})")
        int steps;

        @Override
        public Integer call() throws Exception {
            JobConfig cfg = options.load();
            System.out.println(new ObjectMapper().writeValueAsString(new QuickBenchmark(cfg, options.runs, steps,
                    options.warmupSeconds, ratios == null ? List.of(cfg.prune().ratio()) : ratios).run()));
            return ExitCodes.OK;
        }
    }
}
