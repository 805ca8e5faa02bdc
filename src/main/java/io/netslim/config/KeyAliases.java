package io.netslim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keys that moved (e.g. {@code data.image-size} to {@code data.folder.image-size}): a value written at the old key
 * goes to the new one, unless the new key is written too (then the new key wins), so configs and recorded runs
 * that use the old spelling keep working. The old spellings are those the formats declare ({@link FormatKeys}).
 */
public final class KeyAliases {
    private KeyAliases() {
    }

    /** Every old key mapped to its new key. */
    public static Map<String, String> all() {
        Map<String, String> all = new LinkedHashMap<>();
        for (FormatKeys format : RegisteredFormats.all()) {
            all.putAll(format.aliases());
        }
        return all;
    }

    /**
     * {@code c} with each old key's value moved to its new key (dropped if the new key is set in {@code c} too).
     * Works on an unresolved config: values are moved as written.
     */
    public static Config apply(Config c) {
        Map<String, ConfigValue> written = new LinkedHashMap<>();
        c.entrySet().forEach(e -> written.put(e.getKey(), e.getValue()));
        Config out = c;
        for (Map.Entry<String, String> alias : all().entrySet()) {
            ConfigValue old = written.get(alias.getKey());
            if (old != null) {
                out = out.withoutPath(alias.getKey());
                if (!written.containsKey(alias.getValue())) {
                    out = out.withValue(alias.getValue(), old);
                }
            }
        }
        return out;
    }
}
