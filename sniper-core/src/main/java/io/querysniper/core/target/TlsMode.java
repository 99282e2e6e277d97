package io.querysniper.core.target;

import io.querysniper.core.ConfigNamed;

/** TLS policy for a database connection, as MySQL clients spell it. */
public enum TlsMode implements ConfigNamed {
    DISABLED,
    PREFERRED,
    REQUIRED,
    VERIFY_CA,
    VERIFY_IDENTITY;

    public static TlsMode fromConfigName(String name) {
        return ConfigNamed.fromConfigName(TlsMode.class, name, "TLS mode");
    }
}
