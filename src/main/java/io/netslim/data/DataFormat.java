package io.netslim.data;

import io.netslim.config.FormatKeys;
import io.netslim.config.JobConfig;
import io.netslim.config.KeyReader;
import org.apache.hadoop.conf.Configuration;

import java.io.Serializable;
import java.util.Map;
import java.util.function.Function;

/**
 * One value of {@code data.format}: its name, its own keys ({@code data.<name>.*}, with the old spellings they
 * replace) and how it opens a dataset. Each format declares its entry where it is defined (e.g.
 * {@link CifarDataset#FORMAT}); {@link DatasetFormats} registers them.
 *
 * @param name     the {@code data.format} value
 * @param aliases  old keys mapped to their keys under {@code data.<name>.*}
 * @param keys     reads and checks {@code data.<name>.*} into the format's settings record (null: no keys)
 * @param opener   opens the configured dataset on the driver (lists files, reads headers)
 */
public record DataFormat(String name, Map<String, String> aliases, Function<KeyReader, Serializable> keys,
                         Opener opener) implements FormatKeys {
    /** Opens the dataset that {@code data} describes, on the driver. */
    @FunctionalInterface
    public interface Opener {
        DatasetFormat open(JobConfig.DataConfig data, Configuration hadoop);
    }

    public DataFormat {
        aliases = Map.copyOf(aliases);
    }

    /** A format with no keys of its own. */
    public static DataFormat withoutKeys(String name, Opener opener) {
        return new DataFormat(name, Map.of(), null, opener);
    }

    @Override
    public Serializable read(KeyReader reader) {
        return keys == null ? null : keys.apply(reader);
    }

    /** Opens the dataset (the format's own keys are in {@code data.settings()}). */
    public DatasetFormat open(JobConfig.DataConfig data, Configuration hadoop) {
        return opener.open(data, hadoop);
    }
}
