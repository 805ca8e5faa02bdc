package io.netslim.cli;

import io.netslim.config.ConfigLoader;
import io.netslim.config.JobConfig;
import io.netslim.config.JobConfigReader;
import picocli.CommandLine.Option;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/** The options every command shares: a HOCON file and key=value overrides. */
public final class ConfigOptions {
    @Option(names = "--conf", paramLabel = "FILE", description = "HOCON job config (defaults: reference.conf)")
    File file;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one config key (repeatable)")
    List<String> overrides = new ArrayList<>();

    /** Loads and validates the job config. */
    public JobConfig load() {
        return JobConfigReader.read(ConfigLoader.load(file, overrides));
    }
}
