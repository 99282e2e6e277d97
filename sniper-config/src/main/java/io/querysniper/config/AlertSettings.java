package io.querysniper.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code query-sniper.alerts} with the secrets of {@code alerts} in the credentials file, by sink name. */
public record AlertSettings(Map<String, AlertSinkSettings> sinks) {
    public static final AlertSettings NONE = new AlertSettings(Map.of());

    public AlertSettings {
        sinks = Collections.unmodifiableMap(new LinkedHashMap<>(sinks));
    }
}
