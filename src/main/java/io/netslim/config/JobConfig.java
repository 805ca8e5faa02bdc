package io.netslim.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The typed, validated job configuration: values only, read and checked once by {@link JobConfigReader}, then
 * passed everywhere.
 */
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

    /** {@code prune.channel-selection}: whether channels that other layers read are pruned through a selection. */
    public enum ChannelSelection implements Choice {
        AUTO, TRUE, FALSE
    }

    /**
     * Where the data comes from and how training images are augmented. {@code format} is the {@code data.format}
     * name and {@code settings} that format's own keys ({@code data.<format>.*}) as the format read them (null if it
     * has none; see {@link FormatKeys}). {@code validation} is the fraction of the training records held out as a
     * validation split (never trained on), drawn with {@code validationSeed} ({@code train.seed}); 0 = none.
     */
    public record DataConfig(String format, String path, int limitTrain, int limitTest,
                             boolean flip, int cropPadding, String onBadRecord, Serializable settings,
                             String normalize, float[] mean, float[] std,
                             double validation, long validationSeed) implements Serializable {
        /** The format's settings as {@code type} (the record its {@link FormatKeys#read} returns). */
        public <T> T settings(Class<T> type) {
            if (!type.isInstance(settings)) {
                throw new IllegalStateException("data.format = " + format + ": settings are " + settings
                        + ", not " + type.getSimpleName());
            }
            return type.cast(settings);
        }

        /** The same data with every training record in training (prepare writes them all). */
        public DataConfig withoutValidation() {
            return new DataConfig(format, path, limitTrain, limitTest, flip, cropPadding, onBadRecord, settings,
                    normalize, mean, std, 0, validationSeed);
        }

        /** The same data limited to {@code trainRecords} training records (a benchmark's slice). */
        public DataConfig limitedTo(int trainRecords) {
            return new DataConfig(format, path, trainRecords, limitTest, flip, cropPadding, onBadRecord, settings,
                    normalize, mean, std, validation, validationSeed);
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
}
