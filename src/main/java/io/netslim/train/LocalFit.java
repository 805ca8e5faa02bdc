package io.netslim.train;

import io.netslim.config.JobConfig;

/**
 * What {@link LocalTrainer#fit} trains with, built once per use: the stage name it logs and records epochs under,
 * the epochs, the starting lr of the step schedule, the train.* settings, the kernels and who hears of each epoch.
 */
public record LocalFit(String stage, int epochs, double lr, JobConfig.TrainConfig train, TrainingKernels kernels,
                       EpochListener listener) {
    /** {@code epochs} at {@code lr} with the kernels {@code train.kernels} resolves to on this machine, no listener. */
    public static LocalFit here(String stage, int epochs, double lr, JobConfig.TrainConfig train) {
        return new LocalFit(stage, epochs, lr, train, TrainingKernels.here(train.kernels()).kernels(),
                EpochListener.NONE);
    }
}
