package io.netslim.cli;

import io.netslim.runtime.HadoopConf;
import io.netslim.search.RatioSweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** netslim sweep: accuracy against prune ratio for a finished run. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Prune a finished run's sparse model at several ratios and evaluate each (paper Figure 7);",
                "adds sweep.json and plots/ratio-sweep.png to the run and redraws report.html."})
public final class SweepCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--run", required = true, paramLabel = "OUTPUT", description = "A finished run's output folder")
    String run;

    @Option(names = "--ratios", split = ",", paramLabel = "R", description = "Prune ratios (default: ${DEFAULT-VALUE})",
            defaultValue = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8")
    List<Double> ratios;

    @Option(names = "--finetune-epochs", paramLabel = "N", defaultValue = "0",
            description = "Also fine-tune each pruned model for N epochs and evaluate again (default: 0)")
    int finetuneEpochs;

    @Option(names = "--baseline", paramLabel = "URI",
            description = "A model of the same architecture trained with sparsity.lambda = 0, swept too")
    String baseline;

    @Override
    public Integer call() throws Exception {
        System.out.println(RatioSweep.run(run, ratios, finetuneEpochs, baseline,
                HadoopConf.of(config.load().spark())));
        return ExitCodes.OK;
    }
}
