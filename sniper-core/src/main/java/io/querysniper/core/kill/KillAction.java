package io.querysniper.core.kill;

/** What a rule does to a session that breaks it. */
public enum KillAction {
    /** KILL QUERY: stop the running statement, keep the connection (and its open transaction). */
    KILL_QUERY("kill-query"),
    /** KILL CONNECTION: drop the connection; its transaction is rolled back. */
    KILL_CONNECTION("kill-connection"),
    /** Record the decision, kill nothing. */
    LOG("log");

    private final String configName;

    KillAction(String configName) {
        this.configName = configName;
    }

    /** The spelling used in the config file and in records. */
    public String configName() {
        return configName;
    }

    public static KillAction fromConfigName(String name) {
        for (KillAction a : values()) {
            if (a.configName.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown action '" + name + "' (expected kill-query, kill-connection or log)");
    }
}
