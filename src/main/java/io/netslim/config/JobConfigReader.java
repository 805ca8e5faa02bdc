package io.netslim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.netslim.config.JobConfig.ChannelSelection;
import io.netslim.config.JobConfig.DataConfig;
import io.netslim.config.JobConfig.FinetuneConfig;
import io.netslim.config.JobConfig.ModelConfig;
import io.netslim.config.JobConfig.PruneConfig;
import io.netslim.config.JobConfig.SparkSettings;
import io.netslim.config.JobConfig.TrainConfig;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the job's HOCON config into the typed {@link JobConfig} records and validates it once, so every later
 * stage can trust the records; the records themselves only hold values.
 */
public final class JobConfigReader {
    private JobConfigReader() {
    }

    /**
     * Reads and validates every key (each data format's own keys too), reporting all problems at once in a
     * {@link ConfigException}. Keys written in an old spelling are read at their new place ({@link KeyAliases}).
     */
    public static JobConfig read(Config config) {
        Config c = KeyAliases.apply(config);
        KeyReader r = new KeyReader(c);
        String format = r.oneOf("data.format", RegisteredFormats.all().stream().map(FormatKeys::name).toList());
        DataConfig data = new DataConfig(
                format,
                r.string("data.path"),
                r.intAtLeast("data.limit-train", 0),
                r.intAtLeast("data.limit-test", 0),
                r.bool("data.augment.flip"),
                r.intAtLeast("data.augment.crop-padding", 0),
                r.oneOf("data.on-bad-record", List.of("fail", "skip")),
                formatSettings(r, format),
                r.oneOf("data.normalize", List.of("off", "auto", "given")),
                r.positiveFloats("data.mean", false),
                r.positiveFloats("data.std", true),
                r.doubleIn("data.validation", 0.0, true, 1.0),
                r.longValue("train.seed"));
        ModelConfig model = new ModelConfig(
                r.string("model.arch"),
                r.intAtLeast("model.depth", 1),
                r.intAtLeast("model.classes", 2),
                r.shape("model.input-shape"),
                r.doubleIn("model.gamma-init", 0.0, false, Double.MAX_VALUE),
                r.string("model.init").trim());
        double lambda = r.doubleIn("sparsity.lambda", 0.0, true, 1.0);
        TrainConfig train = new TrainConfig(
                r.intAtLeast("train.epochs", 1),
                r.intAtLeast("train.batch-size", 1),
                r.doubleIn("train.lr", 0.0, false, Double.MAX_VALUE),
                r.doubleIn("train.momentum", 0.0, true, 1.0),
                r.bool("train.nesterov"),
                r.doubleIn("train.weight-decay", 0.0, true, 1.0),
                r.positiveIntOrAuto("train.averaging-frequency", TrainConfig.AUTO_AVERAGING,
                        "minibatches per worker between averages such as 5, or auto to choose from measured rounds"),
                r.intAtLeast("train.workers", 0),
                r.longValue("train.seed"),
                r.intAtLeast("train.checkpoint-every", 0),
                r.oneOf("train.approach", List.of("auto", "direct", "export")),
                r.oneOf("train.kernels", List.of("auto", "cpu", "portable")),
                r.oneOf("train.worker-scaling", List.of("sqrt", "linear", "none")),
                r.oneOf("train.averaging", TrainConfig.AVERAGING));
        PruneConfig prune = new PruneConfig(
                r.doubleIn("prune.ratio", 0.0, true, 1.0),
                r.intAtLeast("prune.min-channels", 1),
                r.choice("prune.channel-selection", ChannelSelection.class, ChannelSelection.AUTO),
                r.doubleIn("prune.max-layer-ratio", 0.0, false, 1.0 + 1e-12),
                r.positiveIntOrAuto("prune.channel-multiple", PruneConfig.AUTO_MULTIPLE,
                        "a channel count such as 8, or auto for this machine's convolution block"),
                r.doubleIn("prune.keep-flops", 0.0, true, 1.0),
                r.doubleIn("prune.keep-params", 0.0, true, 1.0),
                r.string("prune.importance"));
        List<String> inEffect = new ArrayList<>();
        Map<String, Double> pruneBy = new LinkedHashMap<>();
        pruneBy.put("prune.ratio", prune.ratio());
        pruneBy.put("prune.keep-flops", prune.keepFlops());
        pruneBy.put("prune.keep-params", prune.keepParams());
        pruneBy.forEach((key, v) -> {
            if (v > 0) {
                inEffect.add(key + " = " + v);
            }
        });
        if (inEffect.size() > 1) {
            r.problem(String.join(" and ", inEffect) + ": at most one of prune.ratio, prune.keep-flops and "
                    + "prune.keep-params may be set (0 = off; a budget replaces the default ratio, but a ratio set in "
                    + "the config file or with --set must be set to 0)");
        }
        FinetuneConfig finetune = new FinetuneConfig(
                r.intAtLeast("finetune.epochs", 0),
                r.intAtLeast("finetune.batch-size", 1),
                r.doubleIn("finetune.lr", 0.0, false, Double.MAX_VALUE));
        int evalBatch = r.intAtLeast("eval.batch-size", 1);
        int monitor = r.intAtLeast("eval.monitor-images", 0);
        int passes = r.intAtLeast("slimming.passes", 1);
        Map<String, String> sparkConf = new LinkedHashMap<>();
        if (c.hasPath("spark.conf")) {
            for (Map.Entry<String, ConfigValue> e : c.getConfig("spark.conf").entrySet()) {
                // entrySet() keys are path expressions: "spark.executor.memory" arrives quoted
                sparkConf.put(String.join(".", com.typesafe.config.ConfigUtil.splitPath(e.getKey())),
                        String.valueOf(e.getValue().unwrapped()));
            }
        }
        SparkSettings spark = new SparkSettings(r.string("spark.master"), r.string("spark.app-name"), sparkConf);
        String output = r.string("output");
        boolean exportOnnx = r.bool("export.onnx");
        if (data.normalize().equals("given") && (data.mean().length == 0 || data.mean().length != data.std().length)) {
            r.problem("data.normalize = given: expected data.mean and data.std with one value per channel, got "
                    + data.mean().length + " and " + data.std().length);
        }
        if (!r.problems().isEmpty()) {
            throw new ConfigException(r.problems());
        }
        String rendered = c.root().render(ConfigRenderOptions.concise().setFormatted(true));
        return new JobConfig(data, model, lambda, train, prune, finetune, passes, evalBatch, monitor, spark, output,
                exportOnnx, rendered);
    }

    /** The chosen format's settings; every format's keys are read, so a mistake in any of them is reported. */
    private static Serializable formatSettings(KeyReader r, String format) {
        Serializable chosen = null;
        for (FormatKeys f : RegisteredFormats.all()) {
            Serializable settings = f.read(r);
            if (f.name().equals(format)) {
                chosen = settings;
            }
        }
        return chosen;
    }
}
