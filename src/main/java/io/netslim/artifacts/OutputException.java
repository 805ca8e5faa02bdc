package io.netslim.artifacts;

/** Reading or writing the run's output failed (exit code 5); the message names the file. */
public class OutputException extends RuntimeException {
    public OutputException(String message) {
        super(message);
    }

    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
