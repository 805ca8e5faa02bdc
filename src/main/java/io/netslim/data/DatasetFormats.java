package io.netslim.data;

import io.netslim.config.FormatRegistry;
import io.netslim.config.JobConfig;
import org.apache.hadoop.conf.Configuration;

import java.util.List;

/**
 * The dataset formats by {@code data.format} name, registered here and only here: a new format is its class
 * (declaring its {@link DataFormat} entry, keys included) and one line in {@link #ALL}. Config finds this registry
 * through {@code META-INF/services/io.netslim.config.FormatRegistry}.
 */
public final class DatasetFormats implements FormatRegistry {
    /** Every format, in the order {@code data.format}'s choices are listed. */
    public static final List<DataFormat> ALL = List.of(
            IdxDataset.FORMAT,
            CifarDataset.FORMAT,
            FolderDataset.FORMAT,
            ShardsDataset.FORMAT);

    /** For {@link java.util.ServiceLoader}; the formats are {@link #ALL}. */
    public DatasetFormats() {
    }

    @Override
    public List<DataFormat> formats() {
        return ALL;
    }

    /** The format called {@code name} (the config reader has refused any other name). */
    public static DataFormat named(String name) {
        return ALL.stream().filter(f -> f.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("data.format = '" + name + "': not registered in "
                        + DatasetFormats.class.getName()));
    }

    /**
     * Opens the configured dataset on the driver: lists its files and checks their headers; with
     * data.limit-train or data.limit-test, a fixed random sample of that split, and with data.validation the
     * held-out validation records ({@link SampledDataset}).
     */
    public static DatasetFormat open(JobConfig.DataConfig data, Configuration hadoop) {
        DatasetFormat format = named(data.format()).open(data, hadoop);
        return SampledDataset.holdOut(SampledDataset.of(format, data.limitTrain(), data.limitTest()),
                data.validation(), data.validationSeed());
    }
}
