package io.netslim.data;

/** Input data that cannot be read as the configured format; the message names the file and the problem. */
public class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
