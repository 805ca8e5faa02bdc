package io.netslim.cli;

import io.netslim.pipeline.SlimmingPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** netslim pipeline: sparsity training on Spark, pruning, fine-tuning, evaluation, artifacts. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Sparsity-train on Spark, prune, fine-tune, evaluate and write every artifact to 'output'.")
public final class PipelineCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Override
    public Integer call() {
        String output = new SlimmingPipeline(config.load()).run();
        System.out.println(output);
        return ExitCodes.OK;
    }
}
