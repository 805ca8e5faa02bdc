package io.netslim.train;

/**
 * Where sparsity training continues: epoch (0-based) and chunk of that epoch (checkpoint granularity), the
 * averaging frequency the epoch's chunks were cut at (0 = not recorded: the configured one), and the iteration
 * the learning-rate warm-up counts from (-1 = not recorded: the iteration training resumes at).
 */
public record TrainingPosition(int epoch, int chunk, int averagingFrequency, int warmupStart) {
    /** A position whose chunks follow the configured averaging frequency, with no warm-up recorded. */
    public TrainingPosition(int epoch, int chunk) {
        this(epoch, chunk, 0, -1);
    }
}
