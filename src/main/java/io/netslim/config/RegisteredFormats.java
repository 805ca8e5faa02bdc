package io.netslim.config;

import java.util.List;
import java.util.ServiceLoader;

/** The formats of the one {@link FormatRegistry} on the classpath, looked up once when first needed. */
final class RegisteredFormats {
    private static final List<FormatKeys> FORMATS = lookUp();

    private RegisteredFormats() {
    }

    static List<FormatKeys> all() {
        return FORMATS;
    }

    /** The one format called {@code name}, or null. */
    static FormatKeys named(String name) {
        return FORMATS.stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }

    private static List<FormatKeys> lookUp() {
        List<FormatRegistry> found = ServiceLoader.load(FormatRegistry.class, FormatRegistry.class.getClassLoader())
                .stream().map(ServiceLoader.Provider::get).toList();
        if (found.size() != 1) {
            throw new IllegalStateException("expected one " + FormatRegistry.class.getName()
                    + " on the classpath (META-INF/services), found " + found.size());
        }
        return List.copyOf(found.get(0).formats());
    }
}
