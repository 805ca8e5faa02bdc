package io.netslim.cli;

import io.netslim.artifacts.Stage;
import io.netslim.pipeline.SlimmingPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** netslim pipeline: sparsity training on Spark, pruning, fine-tuning, evaluation, artifacts. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Sparsity-train on Spark, prune, fine-tune, evaluate and write every artifact to 'output'.",
                "Rerun with the same output to resume: finished stages are skipped, training continues "
                        + "from its newest checkpoint."})
public final class PipelineCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--overwrite", description = "Delete what 'output' holds and run from scratch")
    boolean overwrite;

    @Option(names = "--until", paramLabel = "STAGE",
            description = {"Stop after this stage of the last pass: ${COMPLETION-CANDIDATES} (for schedulers that run "
                    + "the stages as separate tasks on the same output; a finetune run also writes the report)"})
    Stage until;

    @Override
    public Integer call() {
        String output = new SlimmingPipeline(config.load(), overwrite, until).run();
        System.out.println(output);
        return ExitCodes.OK;
    }
}
