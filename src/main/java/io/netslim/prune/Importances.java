package io.netslim.prune;

import io.netslim.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The importance criteria {@code prune.importance} can name, registered in this one place. */
public final class Importances {
    private static final Map<String, Supplier<Importance>> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("bn-scale", BnScaleImportance::new);
    }

    private Importances() {
    }

    /** Every registered name, in registration order. */
    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    /** A new criterion of that name; an unknown name names the key and the choices. */
    public static Importance create(String name) {
        Supplier<Importance> made = BY_NAME.get(name);
        if (made == null) {
            throw new ConfigException("prune.importance = '" + name + "': expected one of " + names());
        }
        return made.get();
    }
}
