package io.querysniper.core.rules;

import io.querysniper.core.ConfigNamed;

/** How a pile-up rule groups matching sessions before counting them. */
public enum GroupBy implements ConfigNamed {
    FINGERPRINT, USER, DB, HOST;

    public static GroupBy fromConfigName(String name) {
        return ConfigNamed.fromConfigName(GroupBy.class, name, "group-by");
    }
}
