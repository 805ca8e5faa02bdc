package io.netslim.data;

/** The two parts of every dataset: training records and test (validation) records. */
public enum Split {
    TRAIN, TEST
}
