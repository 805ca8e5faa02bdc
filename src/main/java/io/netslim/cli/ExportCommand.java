package io.netslim.cli;

import io.netslim.artifacts.VerifiedModels;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.data.Normalization;
import io.netslim.export.OnnxCheck;
import io.netslim.export.OnnxExporter;
import io.netslim.export.OnnxFiles;
import io.netslim.runtime.HadoopConf;
import io.netslim.pipeline.Normalizations;
import io.netslim.search.FinishedRun;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Optional;
import java.util.concurrent.Callable;

/** netslim export: a model zip as an ONNX file for serving, checked against DL4J in ONNX Runtime before it is written. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model zip (any Hadoop FS URI) as ONNX (opset 13): batch norms folded into the",
                "convolution before them where that is exact, channel selections as Gather, dynamic batch. A model",
                "of a run takes the run's input shape and normalisation (part of the graph: the ONNX model takes",
                "pixels / 255, as evaluate does); other models take them from the config. Checked in ONNX Runtime",
                "against DL4J on a random batch before anything is written."})
public final class ExportCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--model", required = true, paramLabel = "URI", description = "Model zip to export")
    String model;

    @Option(names = "--to", required = true, paramLabel = "URI", description = "ONNX file to write")
    String to;

    @Option(names = "--overwrite", description = "Replace an existing file at --to")
    boolean overwrite;

    @Override
    public Integer call() {
        JobConfig given = config.load();
        Configuration hadoop = HadoopConf.of(given.spark());
        ComputationGraph graph = VerifiedModels.read(model, hadoop);
        Optional<FinishedRun> run = FinishedRun.holding(model, hadoop);
        JobConfig cfg = run.map(FinishedRun::config).orElse(given);
        long[] shape = cfg.model().inputShape() != null ? cfg.model().inputShape()
                : ImageSource.open(cfg.data(), cfg.model().classes(), hadoop).inputShape();
        Normalization normalization = run.isPresent() ? run.get().normalization()
                : Normalizations.forModel(cfg, model, hadoop);
        byte[] onnx = OnnxExporter.bytes(graph, shape, normalization);
        double diff = OnnxCheck.maxDifference(graph, onnx, shape, normalization);
        OnnxFiles.write(to, onnx, hadoop, overwrite);
        System.out.printf("wrote %s: %d bytes, input [batch, %d, %d, %d], normalisation %s; ONNX Runtime matches DL4J "
                        + "(max abs difference %.2g)%n", to, onnx.length, shape[0], shape[1], shape[2], normalization,
                diff);
        return ExitCodes.OK;
    }
}
