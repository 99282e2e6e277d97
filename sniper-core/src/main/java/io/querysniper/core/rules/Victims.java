package io.querysniper.core.rules;

/** Which members of a pile-up group are killed. */
public enum Victims {
    ALL("all"), OLDEST("oldest"), ALL_BUT_OLDEST("all-but-oldest");

    private final String configName;

    Victims(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static Victims fromConfigName(String name) {
        for (Victims v : values()) {
            if (v.configName.equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown victims '" + name + "' (expected all, oldest or all-but-oldest)");
    }
}
