package io.netslim.config;

import java.io.Serializable;
import java.util.Map;

/**
 * One {@code data.format} value and its own keys ({@code data.<name>.*}), declared by the format where it is
 * defined (in {@code io.netslim.data}) so that config reads and checks them without depending on data.
 */
public interface FormatKeys {
    /** The value of {@code data.format} that selects this format. */
    String name();

    /**
     * Old spellings of this format's keys, each mapped to its key under {@code data.<name>.*}: a config that uses
     * the old key still works ({@link KeyAliases}).
     */
    Map<String, String> aliases();

    /**
     * This format's settings read from {@code data.<name>.*}, every problem going to {@code keys}; null when the
     * format has no keys of its own. Sent to the executors inside the job config, so serializable.
     */
    Serializable read(KeyReader keys);
}
