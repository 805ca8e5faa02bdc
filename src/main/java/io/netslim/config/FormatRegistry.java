package io.netslim.config;

import java.util.List;

/**
 * The data formats, registered in one place by {@code io.netslim.data} and named in
 * {@code META-INF/services/io.netslim.config.FormatRegistry}, so that config knows every {@code data.format} and
 * its keys without a package dependency on data ({@link RegisteredFormats} finds it).
 */
public interface FormatRegistry {
    /** Every format, in the order {@code data.format}'s choices are listed. */
    List<? extends FormatKeys> formats();
}
