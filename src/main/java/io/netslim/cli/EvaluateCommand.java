package io.netslim.cli;

import io.netslim.artifacts.VerifiedModels;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.metrics.Accuracy;
import io.netslim.runtime.HadoopConf;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** netslim evaluate: test-set accuracy of a model zip. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model zip (any Hadoop FS URI) on the configured test set.")
public final class EvaluateCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--model", required = true, paramLabel = "URI", description = "Model zip to evaluate")
    String model;

    @Option(names = "--json", description = "Print {\"test_accuracy\": ...}")
    boolean json;

    @Override
    public Integer call() {
        JobConfig cfg = config.load();
        Configuration hadoop = HadoopConf.of(cfg.spark());
        ImageSource data = ImageSource.open(cfg.data(), cfg.model().classes(), hadoop);
        ComputationGraph graph = VerifiedModels.read(model, hadoop);
        data.normalizeWith(io.netslim.pipeline.Normalizations.forModel(cfg, model, hadoop));
        double acc = Accuracy.of(graph, data.testBatches(cfg.evalBatchSize()));
        System.out.println(json ? "{\"test_accuracy\": " + acc + "}" : String.format("test accuracy: %.4f", acc));
        return ExitCodes.OK;
    }
}
