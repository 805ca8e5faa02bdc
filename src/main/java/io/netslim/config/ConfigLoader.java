package io.netslim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException.Parse;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.io.File;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds the job's HOCON config from reference.conf, an optional file and --set overrides. */
public final class ConfigLoader {
    /** Subtrees whose keys are free-form (passed through to Spark). */
    private static final List<String> OPEN_SUBTREES = List.of("spark.conf");

    private ConfigLoader() {
    }

    /** The embedded defaults. */
    public static Config reference() {
        URL url = ConfigLoader.class.getResource("/reference.conf");
        if (url == null) {
            throw new IllegalStateException("reference.conf is missing from the classpath");
        }
        return ConfigFactory.parseURL(url, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF));
    }

    /**
     * The config a run was started with ({@code config} of its run.json) over today's reference.conf, so a run
     * of an older version, without the keys added since and with keys since moved ({@link KeyAliases}), still loads.
     */
    public static Config stored(String json) {
        return KeyAliases.apply(ConfigFactory.parseString(json)).withFallback(reference()).resolve();
    }

    /**
     * Loads the config: overrides (in order) on top of the file on top of reference.conf.
     * Unknown keys are rejected, with every offending key named; a key written in an old spelling is moved to its
     * new place first ({@link KeyAliases}).
     */
    public static Config load(File file, List<String> overrides) {
        Config reference = reference();
        List<String> problems = new ArrayList<>();
        Config user = parseOverrides(overrides, problems);
        if (file != null) {
            if (!file.isFile()) {
                problems.add("--conf " + file + ": file does not exist");
            } else {
                try {
                    user = user.withFallback(ConfigFactory.parseFile(file,
                            ConfigParseOptions.defaults().setAllowMissing(false)));
                } catch (com.typesafe.config.ConfigException e) {
                    problems.add("--conf " + file + ": " + e.getMessage());
                }
            }
        }
        user = KeyAliases.apply(user);
        for (Map.Entry<String, ConfigValue> entry : user.entrySet()) {
            String key = entry.getKey();
            if (!reference.hasPathOrNull(key) && !isOpen(key)) {
                String origin = entry.getValue().origin().description();
                problems.add("unknown key '" + key + "' (" + origin + "); see reference.conf for the keys");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        user = budgetReplacesDefaultRatio(user);
        try {
            return user.withFallback(reference).resolve();
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /**
     * A pruning budget (prune.keep-flops or prune.keep-params) set without a ratio of the user's own turns the
     * default prune.ratio off (0), so that at most one of them is in effect and the run's recorded config says so.
     */
    private static Config budgetReplacesDefaultRatio(Config user) {
        boolean budget = false;
        for (String key : List.of("prune.keep-flops", "prune.keep-params")) {
            try {
                budget |= user.hasPath(key) && user.getDouble(key) > 0;
            } catch (com.typesafe.config.ConfigException e) {
                // not a number: JobConfigReader reports it with the key
            }
        }
        return budget && !user.hasPath("prune.ratio")
                ? user.withValue("prune.ratio", ConfigValueFactory.fromAnyRef(0.0)) : user;
    }

    /**
     * The --set values alone (nothing from reference.conf), for commands that change a few keys of a run's recorded
     * config; a malformed one is a {@link ConfigException}.
     */
    public static Config overrides(List<String> overrides) {
        List<String> problems = new ArrayList<>();
        Config user = parseOverrides(overrides, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return user;
    }

    private static Config parseOverrides(List<String> overrides, List<String> problems) {
        Config user = ConfigFactory.empty();
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                problems.add("--set '" + override + "': expected key=value");
                continue;
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            try {
                Config one = ConfigFactory.parseString(quoteKey(key) + " = " + value);
                user = one.withFallback(user);
            } catch (Parse e) {
                // Not valid HOCON as a value: take it as a plain string.
                user = ConfigFactory.parseMap(Map.of(key, value)).withFallback(user);
            }
        }
        return user;
    }

    private static boolean isOpen(String key) {
        return OPEN_SUBTREES.stream().anyMatch(open -> key.startsWith(open + "."));
    }

    private static String quoteKey(String key) {
        // A HOCON path expression: spark.conf."spark.executor.memory" keeps its quoted element whole,
        // plain elements (with dashes) are taken as they are; joinPath quotes what needs quoting.
        try {
            return com.typesafe.config.ConfigUtil.joinPath(com.typesafe.config.ConfigUtil.splitPath(key));
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException("--set '" + key + "=...': not a valid key (" + e.getMessage() + ")");
        }
    }
}
