package io.netslim.data;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;

/** The dataset formats by {@code data.format} name; a new format is one more case here. */
public final class DatasetFormats {
    private DatasetFormats() {
    }

    /**
     * Opens the configured dataset on the driver: lists its files and checks their headers; with
     * data.limit-train or data.limit-test, a fixed random sample of that split, and with data.validation the
     * held-out validation records ({@link SampledDataset}).
     */
    public static DatasetFormat open(JobConfig.DataConfig data, Configuration hadoop) {
        DatasetFormat format = switch (data.format()) {
            case IDX -> IdxDataset.locate(data.path(), hadoop);
            case CIFAR -> CifarDataset.locate(data, hadoop);
            case FOLDER -> FolderDataset.locate(data, hadoop);
            case SHARDS -> ShardsDataset.locate(data, hadoop);
        };
        return SampledDataset.holdOut(SampledDataset.of(format, data.limitTrain(), data.limitTest()),
                data.validation(), data.validationSeed());
    }
}
