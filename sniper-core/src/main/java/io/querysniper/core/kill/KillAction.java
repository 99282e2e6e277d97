package io.querysniper.core.kill;

import io.querysniper.core.ConfigNamed;

/** What a rule does to a session that breaks it. */
public enum KillAction implements ConfigNamed {
    /** KILL QUERY: stop the running statement, keep the connection (and its open transaction). */
    KILL_QUERY,
    /** KILL CONNECTION: drop the connection; its transaction is rolled back. */
    KILL_CONNECTION,
    /** Record the decision, kill nothing. */
    LOG;

    public static KillAction fromConfigName(String name) {
        return ConfigNamed.fromConfigName(KillAction.class, name, "action");
    }
}
