package io.netslim.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads typed values at named keys of a HOCON config, collecting every problem instead of stopping at the first,
 * so a job config is checked once and all its mistakes are reported together (data formats read their own keys
 * with it, see {@link FormatKeys}).
 */
public final class KeyReader {
    private final Config c;
    private final List<String> problems = new ArrayList<>();

    public KeyReader(Config c) {
        this.c = c;
    }

    /** Records a problem that no single typed read finds (e.g. two keys that contradict each other). */
    public void problem(String problem) {
        problems.add(problem);
    }

    /** The problems met so far, in the order they were met. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    private <T> T read(String key, Supplier<T> getter, T fallback, String expected) {
        try {
            return getter.get();
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(key + ": expected " + expected + " (" + e.getMessage() + ")");
            return fallback;
        }
    }

    public String string(String key) {
        return read(key, () -> c.getString(key), "", "a string");
    }

    public boolean bool(String key) {
        return read(key, () -> c.getBoolean(key), false, "true or false");
    }

    public long longValue(String key) {
        return read(key, () -> c.getLong(key), 0L, "an integer");
    }

    /** The choice written at {@code key}; an unknown value is a problem naming the choices. */
    public <E extends Enum<E> & Choice> E choice(String key, Class<E> type, E fallback) {
        String v = string(key);
        E parsed = Choice.parse(type, v);
        if (parsed == null) {
            problems.add(key + " = '" + v + "': expected one of " + Choice.keys(type));
            return fallback;
        }
        return parsed;
    }

    public String oneOf(String key, List<String> allowed) {
        String v = string(key);
        if (!allowed.contains(v)) {
            problems.add(key + " = '" + v + "': expected one of " + allowed);
        }
        return v;
    }

    public float[] positiveFloats(String key, boolean strictlyPositive) {
        List<Double> values = read(key, () -> c.getDoubleList(key), List.of(), "a list of numbers");
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
            if (strictlyPositive ? !(out[i] > 0) : !(out[i] >= 0)) {
                problems.add(key + " = " + values + ": expected numbers " + (strictlyPositive ? "> 0" : ">= 0"));
                break;
            }
        }
        return out;
    }

    public long[] shape(String key) {
        String v = string(key).trim();
        if (v.isEmpty()) {
            return null;
        }
        String[] parts = v.split("x");
        try {
            long[] shape = java.util.Arrays.stream(parts).mapToLong(Long::parseLong).toArray();
            if (shape.length == 3 && java.util.Arrays.stream(shape).allMatch(d -> d > 0)) {
                return shape;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(key + " = '" + v + "': expected CxHxW with positive integers, e.g. 3x32x32");
        return null;
    }

    /**
     * A positive integer, or {@code auto} (read as {@code auto}); a problem for anything else, naming what
     * is expected and {@code hint}.
     */
    public int positiveIntOrAuto(String key, int auto, String hint) {
        String expected = "a positive integer or auto";
        ConfigValue v = read(key, () -> c.getValue(key), null, expected);
        if (v == null) {
            return 1;
        }
        Object raw = v.unwrapped();
        if ("auto".equals(raw)) {
            return auto;
        }
        if (raw instanceof Number || raw instanceof String) {
            try {
                long n = raw instanceof Number num && num.doubleValue() == num.longValue() ? num.longValue()
                        : Long.parseLong(raw.toString().trim());
                if (n >= 1 && n <= Integer.MAX_VALUE) {
                    return (int) n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        problems.add(key + " = '" + v.render(ConfigRenderOptions.concise()) + "': expected " + expected
                + " (" + hint + ")");
        return 1;
    }

    public int intAtLeast(String key, int min) {
        int v = read(key, () -> c.getInt(key), min, "an integer");
        if (v < min) {
            problems.add(key + " = " + v + ": expected an integer >= " + min);
        }
        return v;
    }

    public double doubleIn(String key, double min, boolean minInclusive, double maxExclusive) {
        double v = read(key, () -> c.getDouble(key), min, "a number");
        boolean ok = Double.isFinite(v) && (minInclusive ? v >= min : v > min) && v < maxExclusive;
        if (!ok) {
            problems.add(key + " = " + v + ": expected a number in " + (minInclusive ? "[" : "(") + min
                    + ", " + maxExclusive + ")");
        }
        return v;
    }
}
