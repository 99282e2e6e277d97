package io.querysniper.config;

import io.querysniper.core.ConfigNamed;

/** What a node does with the databases it owned once its ZooKeeper session is lost. */
public enum CoordinationLossPolicy implements ConfigNamed {
    /** Stop killing at once: never two snipers on one database (the default). */
    STOP,
    /** Keep sniping what it owned for {@code keep-owned-for}, accepting that another node may too. */
    KEEP_OWNED
}
