package io.netslim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The typed, validated job configuration; built once from HOCON, then passed everywhere. */
public record JobConfig(
        DataConfig data,
        ModelConfig model,
        double sparsityLambda,
        TrainConfig train,
        PruneConfig prune,
        FinetuneConfig finetune,
        int passes,
        int evalBatchSize,
        int monitorImages,
        SparkSettings spark,
        String output,
        boolean exportOnnx,
        String rendered) implements Serializable {

    /** {@code data.format}: how the dataset is stored. */
    public enum DataFormat implements Choice {
        IDX, CIFAR, FOLDER, SHARDS
    }

    /** {@code prune.channel-selection}: whether channels that other layers read are pruned through a selection. */
    public enum ChannelSelection implements Choice {
        AUTO, TRUE, FALSE
    }

    /**
     * Where the data comes from and how training images are augmented; {@code validation} is the fraction of the
     * training records held out as a validation split (never trained on), drawn with {@code validationSeed}
     * ({@code train.seed}); 0 = none.
     */
    public record DataConfig(DataFormat format, String path, int limitTrain, int limitTest,
                             boolean flip, int cropPadding, String onBadRecord, int imageSize,
                             String cifarLabels, String normalize, float[] mean, float[] std,
                             double validation, long validationSeed) implements Serializable {
        /** The same data with every training record in training (prepare writes them all). */
        public DataConfig withoutValidation() {
            return new DataConfig(format, path, limitTrain, limitTest, flip, cropPadding, onBadRecord, imageSize,
                    cifarLabels, normalize, mean, std, 0, validationSeed);
        }

        /** The same data limited to {@code trainRecords} training records (a benchmark's slice). */
        public DataConfig limitedTo(int trainRecords) {
            return new DataConfig(format, path, trainRecords, limitTest, flip, cropPadding, onBadRecord, imageSize,
                    cifarLabels, normalize, mean, std, validation, validationSeed);
        }
    }

    /**
     * Which network to build; {@code init} (a model zip URI, or empty) replaces the built network's architecture
     * and weights as the start of sparsity training.
     */
    public record ModelConfig(String arch, int depth, int classes, long[] inputShape, double gammaInit, String init)
            implements Serializable {
        /** The configured input shape {C, H, W}, or null to take it from the dataset. */
        @Override
        public long[] inputShape() {
            return inputShape == null ? null : inputShape.clone();
        }
    }

    /**
     * Distributed sparsity training ({@code kernels}: auto, cpu or portable, see TrainingKernels;
     * {@code averagingFrequency}: minibatches per worker between averages, or {@link #AUTO_AVERAGING} for
     * {@code train.averaging-frequency = auto}, chosen by the trainer from measured costs).
     */
    public record TrainConfig(int epochs, int batchSize, double lr, double momentum, boolean nesterov, double weightDecay,
                              int averagingFrequency, int workers, long seed, int checkpointEvery,
                              String approach, String kernels, String workerScaling, String averaging)
            implements Serializable {
        /** {@code train.averaging}: netslim's parameter averaging (the default) or DL4J's training master. */
        public static final List<String> AVERAGING = List.of("netslim", "dl4j");

        /** Whether netslim's own parameter averaging trains (else DL4J's ParameterAveragingTrainingMaster). */
        public boolean netslimAveraging() {
            return averaging.equals("netslim");
        }

        /** {@code averagingFrequency} when {@code train.averaging-frequency = auto}. */
        public static final int AUTO_AVERAGING = 0;

        /** Whether the averaging frequency is chosen from measured compute and communication. */
        public boolean autoAveraging() {
            return averagingFrequency == AUTO_AVERAGING;
        }

        /** The same settings with averaging every {@code frequency} minibatches (or {@link #AUTO_AVERAGING}). */
        public TrainConfig withAveragingFrequency(int frequency) {
            return new TrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, frequency, workers, seed,
                    checkpointEvery, approach, kernels, workerScaling, averaging);
        }
        /** The same settings for {@code epochs} epochs (benchmarks time a few). */
        public TrainConfig withEpochs(int epochs) {
            return new TrainConfig(epochs, batchSize, lr, momentum, nesterov, weightDecay, averagingFrequency, workers, seed,
                    checkpointEvery, approach, kernels, workerScaling, averaging);
        }
    }

    /**
     * Channel pruning: by {@code ratio}, or to a budget ({@code keepFlops} or {@code keepParams}, fractions of the
     * unpruned network; 0 = off). At most one of the three is non-zero. {@code channelMultiple} is
     * {@link #AUTO_MULTIPLE} for {@code prune.channel-multiple = auto} until the job resolves it for the machine
     * that prunes ({@link #withChannelMultiple}).
     */
    public record PruneConfig(double ratio, int minChannels, ChannelSelection channelSelection,
                              double maxLayerRatio,
                              int channelMultiple, double keepFlops, double keepParams, String importance)
            implements Serializable {
        /** {@code prune.channel-multiple = auto}, not yet resolved to a channel count. */
        public static final int AUTO_MULTIPLE = 0;

        /** Whether {@code prune.channel-multiple} is {@code auto} and still to be resolved. */
        public boolean channelMultipleAuto() {
            return channelMultiple == AUTO_MULTIPLE;
        }

        /** The same rules with {@code prune.channel-multiple} resolved to {@code multiple} (>= 1). */
        public PruneConfig withChannelMultiple(int multiple) {
            if (multiple < 1) {
                throw new IllegalArgumentException("channel multiple " + multiple + " < 1");
            }
            return new PruneConfig(ratio, minChannels, channelSelection, maxLayerRatio, multiple, keepFlops,
                    keepParams, importance);
        }

        /** The budget key in effect ({@code prune.keep-flops} or {@code prune.keep-params}), or null for the ratio. */
        public String budgetKey() {
            return keepFlops > 0 ? "prune.keep-flops" : keepParams > 0 ? "prune.keep-params" : null;
        }
    }

    /** Single-node fine-tuning of the pruned network. */
    public record FinetuneConfig(int epochs, int batchSize, double lr) implements Serializable {
    }

    /** Spark master, application name and pass-through properties. */
    public record SparkSettings(String master, String appName, Map<String, String> conf) implements Serializable {
    }

    /** The same job with other pruning rules ({@code prune.*}; e.g. the channel multiple resolved). */
    public JobConfig withPrune(PruneConfig p) {
        return new JobConfig(data, model, sparsityLambda, train, p, finetune, passes, evalBatchSize, monitorImages,
                spark, output, exportOnnx, rendered);
    }

    /** Reads and validates every key, reporting all problems at once. */
    public static JobConfig from(Config c) {
        Reader r = new Reader(c);
        DataConfig data = new DataConfig(
                r.choice("data.format", DataFormat.class, DataFormat.IDX),
                r.string("data.path"),
                r.intAtLeast("data.limit-train", 0),
                r.intAtLeast("data.limit-test", 0),
                r.bool("data.augment.flip"),
                r.intAtLeast("data.augment.crop-padding", 0),
                r.oneOf("data.on-bad-record", List.of("fail", "skip")),
                r.intAtLeast("data.image-size", 1),
                r.oneOf("data.cifar-labels", List.of("fine", "coarse")),
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
            r.problems.add(String.join(" and ", inEffect) + ": at most one of prune.ratio, prune.keep-flops and "
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
            r.problems.add("data.normalize = given: expected data.mean and data.std with one value per channel, got "
                    + data.mean().length + " and " + data.std().length);
        }
        if (!r.problems.isEmpty()) {
            throw new ConfigException(r.problems);
        }
        String rendered = c.root().render(ConfigRenderOptions.concise().setFormatted(true));
        return new JobConfig(data, model, lambda, train, prune, finetune, passes, evalBatch, monitor, spark, output,
                exportOnnx, rendered);
    }

    /** Collects typed values and the problems met while reading them. */
    private static final class Reader {
        private final Config c;
        private final List<String> problems = new ArrayList<>();

        Reader(Config c) {
            this.c = c;
        }

        private <T> T read(String key, Supplier<T> getter, T fallback, String expected) {
            try {
                return getter.get();
            } catch (com.typesafe.config.ConfigException e) {
                problems.add(key + ": expected " + expected + " (" + e.getMessage() + ")");
                return fallback;
            }
        }

        String string(String key) {
            return read(key, () -> c.getString(key), "", "a string");
        }

        boolean bool(String key) {
            return read(key, () -> c.getBoolean(key), false, "true or false");
        }

        long longValue(String key) {
            return read(key, () -> c.getLong(key), 0L, "an integer");
        }

        /** The choice written at {@code key}; an unknown value is a problem naming the choices. */
        <E extends Enum<E> & Choice> E choice(String key, Class<E> type, E fallback) {
            String v = string(key);
            E parsed = Choice.parse(type, v);
            if (parsed == null) {
                problems.add(key + " = '" + v + "': expected one of " + Choice.keys(type));
                return fallback;
            }
            return parsed;
        }

        String oneOf(String key, List<String> allowed) {
            String v = string(key);
            if (!allowed.contains(v)) {
                problems.add(key + " = '" + v + "': expected one of " + allowed);
            }
            return v;
        }

        float[] positiveFloats(String key, boolean strictlyPositive) {
            List<Double> values = read(key, () -> c.getDoubleList(key), List.of(), "a list of numbers");
            float[] out = new float[values.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.get(i).floatValue();
                if (strictlyPositive ? !(out[i] > 0) : !(out[i] >= 0)) {
                    problems.add(key + " = " + values + ": expected numbers " + (strictlyPositive ? "> 0" : ">= 0"));
                    break;
                }
            }
            return out;
        }

        long[] shape(String key) {
            String v = string(key).trim();
            if (v.isEmpty()) {
                return null;
            }
            String[] parts = v.split("x");
            try {
                long[] shape = java.util.Arrays.stream(parts).mapToLong(Long::parseLong).toArray();
                if (shape.length == 3 && java.util.Arrays.stream(shape).allMatch(d -> d > 0)) {
                    return shape;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            problems.add(key + " = '" + v + "': expected CxHxW with positive integers, e.g. 3x32x32");
            return null;
        }

        /**
         * A positive integer, or {@code auto} (read as {@code auto}); a problem for anything else, naming what
         * is expected and {@code hint}.
         */
        int positiveIntOrAuto(String key, int auto, String hint) {
            String expected = "a positive integer or auto";
            ConfigValue v = read(key, () -> c.getValue(key), null, expected);
            if (v == null) {
                return 1;
            }
            Object raw = v.unwrapped();
            if ("auto".equals(raw)) {
                return auto;
            }
            if (raw instanceof Number || raw instanceof String) {
                try {
                    long n = raw instanceof Number num && num.doubleValue() == num.longValue() ? num.longValue()
                            : Long.parseLong(raw.toString().trim());
                    if (n >= 1 && n <= Integer.MAX_VALUE) {
                        return (int) n;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            problems.add(key + " = '" + v.render(ConfigRenderOptions.concise()) + "': expected " + expected
                    + " (" + hint + ")");
            return 1;
        }

        int intAtLeast(String key, int min) {
            int v = read(key, () -> c.getInt(key), min, "an integer");
            if (v < min) {
                problems.add(key + " = " + v + ": expected an integer >= " + min);
            }
            return v;
        }

        double doubleIn(String key, double min, boolean minInclusive, double maxExclusive) {
            double v = read(key, () -> c.getDouble(key), min, "a number");
            boolean ok = Double.isFinite(v) && (minInclusive ? v >= min : v > min) && v < maxExclusive;
            if (!ok) {
                problems.add(key + " = " + v + ": expected a number in " + (minInclusive ? "[" : "(") + min
                        + ", " + maxExclusive + ")");
            }
            return v;
        }
    }
}
