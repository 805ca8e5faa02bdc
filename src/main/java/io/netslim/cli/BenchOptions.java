package io.netslim.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netslim.config.JobConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options every form of {@code bench} takes (--runs, --warmup-seconds, --json, --conf, --set), defined once. */
public final class BenchOptions {
    @Mixin
    ConfigOptions config;

    @Option(names = "--runs", defaultValue = "3", description = "Timed repetitions per figure (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup-seconds", defaultValue = "20", description = "Untimed training before the training "
            + "figures are timed, here and in PyTorch: the JIT needs a few hundred steps (default: ${DEFAULT-VALUE})")
    double warmupSeconds;

    @Option(names = "--json", description = "Print one JSON object (otherwise indented JSON)")
    boolean json;

    /** Loads and validates the job config. */
    JobConfig load() {
        return config.load();
    }

    /** Prints {@code result}: one line with --json, indented without; returns the exit code. */
    int print(ObjectNode result) throws JsonProcessingException {
        ObjectMapper mapper = new ObjectMapper();
        System.out.println(json ? mapper.writeValueAsString(result)
                : mapper.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        return ExitCodes.OK;
    }
}
