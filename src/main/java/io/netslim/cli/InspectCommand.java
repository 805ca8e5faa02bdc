package io.netslim.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.artifacts.VerifiedModels;
import io.netslim.config.JobConfig;
import io.netslim.data.ImageSource;
import io.netslim.metrics.LayerStats;
import io.netslim.metrics.ModelStats;
import io.netslim.model.ModelRegistry;
import io.netslim.runtime.HadoopConf;
import io.netslim.pipeline.Networks;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** netslim inspect: parameters, FLOPs and per-layer channels of the configured model or a model zip. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Print params, FLOPs (2 x multiply-adds, one image) and per-layer channels.",
                "The input shape comes from model.input-shape, else from the dataset's headers."})
public final class InspectCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--model", paramLabel = "URI", description = "Model zip to inspect instead of the configured model "
            + "(model.init when set, else model.arch)")
    String model;

    @Option(names = "--json", description = "Print one JSON object")
    boolean json;

    @Option(names = "--list", description = "List every model.arch with the depths it takes, and exit")
    boolean list;

    @Override
    public Integer call() throws Exception {
        if (list) {
            ModelRegistry.descriptions().forEach((arch, what) -> System.out.printf("%-22s %s%n", arch, what));
            return ExitCodes.OK;
        }
        JobConfig cfg = config.load();
        Configuration hadoop = HadoopConf.of(cfg.spark());
        long[] shape = cfg.model().inputShape() != null ? cfg.model().inputShape()
                : ImageSource.open(cfg.data(), cfg.model().classes(), hadoop).inputShape();
        // the configured model is counted from its configuration: no weights to allocate
        String zip = model != null ? model : cfg.model().init().isEmpty() ? null : cfg.model().init();
        ModelStats stats = zip != null ? ModelStats.of(VerifiedModels.read(zip, hadoop), shape)
                : ModelStats.of(Networks.plain(cfg, shape), shape);
        if (json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            root.put("params", stats.params()).put("flops", stats.flops());
            root.putArray("input_shape").add(shape[0]).add(shape[1]).add(shape[2]);
            ArrayNode layers = root.putArray("layers");
            for (LayerStats l : stats.layers()) {
                layers.addObject().put("name", l.name()).put("type", l.type()).put("channels_in", l.channelsIn())
                        .put("channels_out", l.channelsOut()).put("params", l.params()).put("flops", l.flops());
            }
            System.out.println(mapper.writeValueAsString(root));
        } else {
            System.out.printf("%-16s %-6s %8s %8s %10s %14s%n", "layer", "type", "in", "out", "params", "flops");
            for (LayerStats l : stats.layers()) {
                System.out.printf("%-16s %-6s %8d %8d %10d %14d%n", l.name(), l.type(), l.channelsIn(),
                        l.channelsOut(), l.params(), l.flops());
            }
            System.out.printf("total: %d params, %.4g FLOPs per image (input %dx%dx%d)%n", stats.params(),
                    (double) stats.flops(), shape[0], shape[1], shape[2]);
        }
        return ExitCodes.OK;
    }
}
