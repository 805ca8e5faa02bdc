package io.netslim.config;

/** A config choice spelled as an enum: its value as written in the config file. */
public interface Choice {
    /** The value as written in the config ({@code prune.channel-selection = auto}): the name in lower case. */
    default String key() {
        return ((Enum<?>) this).name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The constant of {@code type} written {@code key}, or null. */
    static <E extends Enum<E> & Choice> E parse(Class<E> type, String key) {
        for (E e : type.getEnumConstants()) {
            if (e.key().equals(key)) {
                return e;
            }
        }
        return null;
    }

    /** Every value of {@code type} as written in the config. */
    static <E extends Enum<E> & Choice> java.util.List<String> keys(Class<E> type) {
        return java.util.Arrays.stream(type.getEnumConstants()).map(Choice::key).toList();
    }
}
