package io.netslim.cli;

import io.netslim.artifacts.OutputException;
import io.netslim.config.ConfigException;
import io.netslim.data.DataException;
import io.netslim.export.UnsupportedModelException;
import io.netslim.train.TrainingDivergedException;
import picocli.CommandLine;

/** Process exit codes, so schedulers can tell classes of failure apart (documented in README). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int DATA = 3;
    public static final int DIVERGED = 4;
    public static final int OUTPUT = 5;
    /** kernel-check --compare (submit/gpu-check.sh): the two runs differ beyond the tolerance, or are not comparable. */
    public static final int CHECK_FAILED = 6;

    private ExitCodes() {
    }

    /** Maps an exception (or its causes) to an exit code. */
    public static int of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException || t instanceof CommandLine.ParameterException
                    || t instanceof UnsupportedModelException) {
                return USAGE;
            }
            if (t instanceof DataException) {
                return DATA;
            }
            if (t instanceof TrainingDivergedException) {
                return DIVERGED;
            }
            if (t instanceof OutputException) {
                return OUTPUT;
            }
        }
        return FAILURE;
    }
}
