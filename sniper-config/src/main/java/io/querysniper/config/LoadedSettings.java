package io.querysniper.config;

import io.querysniper.core.target.Credentials;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link SettingsLoader#load} returns: the settings, the logins they need, and warnings to log.
 *
 * @param credentials          login per database name (same keys as {@code settings.databases()})
 * @param zookeeperCredentials the {@code zookeeper} entry of the credentials file, or null
 * @param warnings             things that work but should not stay so (log them at WARN)
 * @param exposedSecretFiles   files holding a secret that others on the host may access (each also a warning)
 * @param alerts               the alert sinks with their secrets ({@link AlertSettings#NONE} when none)
 * @param httpToken            the bearer token of the HTTP server ({@code http { token }} in the
 *                             credentials file), or null when none is set
 */
public record LoadedSettings(
        SniperSettings settings,
        Map<String, Credentials> credentials,
        Credentials zookeeperCredentials,
        List<String> warnings,
        List<SecretFile> exposedSecretFiles,
        AlertSettings alerts,
        String httpToken) {

    public LoadedSettings {
        credentials = Collections.unmodifiableMap(new LinkedHashMap<>(credentials));
        warnings = List.copyOf(warnings);
        exposedSecretFiles = List.copyOf(exposedSecretFiles);
        alerts = alerts == null ? AlertSettings.NONE : alerts;
    }

    /** Without exposed secret files, alert sinks or an HTTP token. */
    public LoadedSettings(SniperSettings settings, Map<String, Credentials> credentials,
                          Credentials zookeeperCredentials, List<String> warnings) {
        this(settings, credentials, zookeeperCredentials, warnings, List.of(), AlertSettings.NONE, null);
    }

    /** Never prints a password: {@link Credentials#toString()} masks it, and so does this. */
    @Override
    public String toString() {
        return "LoadedSettings[settings=" + settings + ", credentials=" + credentials
                + ", zookeeperCredentials=" + zookeeperCredentials + ", warnings=" + warnings + ", alerts=" + alerts
                + ", httpToken=" + (httpToken == null ? "null" : "****") + "]";
    }
}
