package io.querysniper.core;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * An enum whose values are spelled in the config file and in records as its constant names in
 * lower case with dashes: {@code ALL_BUT_OLDEST} is {@code all-but-oldest}.
 */
public interface ConfigNamed {

    default String configName() {
        return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant spelled {@code name}.
     *
     * @param what the setting's name, for the message
     * @throws IllegalArgumentException naming the value and every accepted spelling
     */
    static <E extends Enum<E> & ConfigNamed> E fromConfigName(Class<E> type, String name, String what) {
        E[] values = type.getEnumConstants();
        for (E value : values) {
            if (value.configName().equals(name)) {
                return value;
            }
        }
        StringJoiner expected = new StringJoiner(", ");
        for (int i = 0; i < values.length - 1; i++) {
            expected.add(values[i].configName());
        }
        String last = values[values.length - 1].configName();
        String list = values.length == 1 ? last : expected + " or " + last;
        throw new IllegalArgumentException("unknown " + what + " '" + name + "' (expected " + list + ")");
    }
}
