package io.netslim;

import io.netslim.runtime.NativeDefaults;
import io.netslim.runtime.BuildInfo;
import io.netslim.cli.BenchCommand;
import io.netslim.cli.EvaluateCommand;
import io.netslim.cli.ExitCodes;
import io.netslim.cli.ExportCommand;
import io.netslim.cli.InspectCommand;
import io.netslim.cli.KernelCheckCommand;
import io.netslim.cli.PipelineCommand;
import io.netslim.cli.PrepareCommand;
import io.netslim.cli.SearchCommand;
import io.netslim.cli.SweepCommand;
import io.netslim.cli.VerifyCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** netslim's single entry point, for the local launcher and for spark-submit alike. */
@Command(name = "netslim", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Network Slimming (Liu et al., ICCV 2017) on Apache Spark.",
        subcommands = {PipelineCommand.class, EvaluateCommand.class, InspectCommand.class, VerifyCommand.class,
                SweepCommand.class, SearchCommand.class, BenchCommand.class, PrepareCommand.class,
                ExportCommand.class, KernelCheckCommand.class})
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    /** --version: the version Maven built, as every run's manifest records it. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"netslim " + BuildInfo.VERSION};
        }
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code, without exiting. */
    public static int run(String... args) {
        NativeDefaults.apply();
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            int code = ExitCodes.of(e);
            if (code == ExitCodes.FAILURE) {
                LOG.error("failed", e);
            }
            commandLine.getErr().println("netslim: " + e.getMessage());
            return code;
        });
        return cli.execute(args);
    }
}
