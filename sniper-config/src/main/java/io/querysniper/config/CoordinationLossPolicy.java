package io.querysniper.config;

/** What a node does with the databases it owned once its ZooKeeper session is lost. */
public enum CoordinationLossPolicy {
    /** Stop killing at once: never two snipers on one database (the default). */
    STOP("stop"),
    /** Keep sniping what it owned for {@code keep-owned-for}, accepting that another node may too. */
    KEEP_OWNED("keep-owned");

    private final String configName;

    CoordinationLossPolicy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
