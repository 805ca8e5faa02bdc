package io.netslim.data;

/**
 * The parts of a dataset: training and test records as stored, and the validation records that
 * {@code data.validation} holds out of the training records ({@link SampledDataset} maps them back to stored
 * training records; formats themselves only ever read TRAIN and TEST).
 */
public enum Split {
    TRAIN, TEST, VALIDATION
}
