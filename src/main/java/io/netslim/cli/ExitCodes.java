package io.netslim.cli;

import io.netslim.config.ConfigException;
import io.netslim.data.DataException;
import picocli.CommandLine;

/** Process exit codes, so schedulers can tell classes of failure apart (documented in README). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int DATA = 3;

    private ExitCodes() {
    }

    /** Maps an exception to an exit code. */
    public static int of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConfigException || t instanceof CommandLine.ParameterException) {
                return USAGE;
            }
            if (t instanceof DataException) {
                return DATA;
            }
        }
        return FAILURE;
    }
}
