package io.netslim.data;

import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;

import java.util.List;

/** The dataset formats by {@code data.format} name; a new format is one more case here. */
public final class DatasetFormats {
    /** Every accepted value of data.format. */
    public static final List<String> NAMES = List.of("idx", "cifar", "folder", "shards");

    private DatasetFormats() {
    }

    /**
     * Opens the configured dataset on the driver: lists its files and checks their headers; with
     * data.limit-train or data.limit-test, a fixed random sample of that split, and with data.validation the
     * held-out validation records ({@link SampledDataset}).
     */
    public static DatasetFormat open(JobConfig.DataConfig data, Configuration hadoop) {
        DatasetFormat format = switch (data.format()) {
            case "idx" -> IdxDataset.locate(data.path(), hadoop);
            case "cifar" -> CifarDataset.locate(data, hadoop);
            case "folder" -> FolderDataset.locate(data, hadoop);
            case "shards" -> ShardsDataset.locate(data, hadoop);
            default -> throw new DataException("data.format = '" + data.format() + "': expected one of " + NAMES);
        };
        return SampledDataset.holdOut(SampledDataset.of(format, data.limitTrain(), data.limitTest()),
                data.validation(), data.validationSeed());
    }
}
