package io.netslim.train;

/**
 * Where sparsity training continues: epoch (0-based) and chunk of that epoch (checkpoint granularity), and the
 * averaging frequency the epoch's chunks were cut at (0 = not recorded: the configured one).
 */
public record TrainingPosition(int epoch, int chunk, int averagingFrequency) {
    /** A position whose chunks follow the configured averaging frequency. */
    public TrainingPosition(int epoch, int chunk) {
        this(epoch, chunk, 0);
    }
}
