package io.netslim.cli;

import io.netslim.artifacts.ArtifactStore;
import io.netslim.artifacts.RunLedger;
import io.netslim.runtime.HadoopConf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** netslim verify: checks every file of a finished run against its manifest. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check a finished run's files (size and SHA-256) against its manifest.json.",
                "Reads only; --conf/--set give spark.hadoop.* settings for its file system."})
public final class VerifyCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Parameters(paramLabel = "OUTPUT", description = "The run's output folder (any Hadoop FS URI)")
    String output;

    @Override
    public Integer call() {
        ArtifactStore store = ArtifactStore.existing(output, HadoopConf.of(config.load().spark()));
        RunLedger ledger = new RunLedger(store);
        List<String> problems = ledger.verify();
        if (problems.isEmpty()) {
            System.out.println("OK: " + ledger.manifestSize() + " files in " + store.uri() + " match the manifest");
            return ExitCodes.OK;
        }
        problems.forEach(p -> System.err.println("netslim verify: " + p));
        return ExitCodes.OUTPUT;
    }
}
