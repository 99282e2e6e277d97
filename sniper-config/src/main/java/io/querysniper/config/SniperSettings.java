package io.querysniper.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The whole validated configuration, secrets excluded.
 *
 * @param dataDir               absolute
 * @param databases             in the order they are written in the config file
 * @param configHash            SHA-256 (hex) of the effective config without node-local keys
 *                              (node-id, data-dir, journal.spool-dir, http): equal on nodes that run the same config
 * @param effectiveConfigMasked the effective config as HOCON, to log once at start (holds no secret)
 * @param http                  the metrics, health and status server
 */
public record SniperSettings(
        String nodeId,
        Path dataDir,
        boolean dryRun,
        Map<String, DatabaseSettings> databases,
        ClusterSettings cluster,
        JournalSettings journal,
        String configHash,
        String effectiveConfigMasked,
        HttpSettings http) {

    public SniperSettings {
        databases = Collections.unmodifiableMap(new LinkedHashMap<>(databases));
    }

    /** Short form: the effective config is logged on its own, once. */
    @Override
    public String toString() {
        return "SniperSettings[nodeId=" + nodeId + ", dataDir=" + dataDir + ", dryRun=" + dryRun
                + ", databases=" + databases + ", cluster=" + cluster + ", journal=" + journal
                + ", configHash=" + configHash + ", http=" + http + "]";
    }
}
