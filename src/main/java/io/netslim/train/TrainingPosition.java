package io.netslim.train;

/** Where sparsity training continues: epoch (0-based) and chunk of that epoch (checkpoint granularity). */
public record TrainingPosition(int epoch, int chunk) {
}
