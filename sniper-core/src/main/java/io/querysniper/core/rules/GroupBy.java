package io.querysniper.core.rules;

/** How a pile-up rule groups matching sessions before counting them. */
public enum GroupBy {
    FINGERPRINT("fingerprint"), USER("user"), DB("db"), HOST("host");

    private final String configName;

    GroupBy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static GroupBy fromConfigName(String name) {
        for (GroupBy g : values()) {
            if (g.configName.equals(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown group-by '" + name + "' (expected fingerprint, user, db or host)");
    }
}
