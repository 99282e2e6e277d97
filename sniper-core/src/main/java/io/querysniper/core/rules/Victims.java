package io.querysniper.core.rules;

import io.querysniper.core.ConfigNamed;

/** Which members of a pile-up group are killed. */
public enum Victims implements ConfigNamed {
    ALL, OLDEST, ALL_BUT_OLDEST;

    public static Victims fromConfigName(String name) {
        return ConfigNamed.fromConfigName(Victims.class, name, "victims");
    }
}
