package io.querysniper.core.target;

/** TLS policy for a database connection, as MySQL clients spell it. */
public enum TlsMode {
    DISABLED("disabled"),
    PREFERRED("preferred"),
    REQUIRED("required"),
    VERIFY_CA("verify-ca"),
    VERIFY_IDENTITY("verify-identity");

    private final String configName;

    TlsMode(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static TlsMode fromConfigName(String name) {
        for (TlsMode m : values()) {
            if (m.configName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown TLS mode '" + name
                + "' (expected disabled, preferred, required, verify-ca or verify-identity)");
    }
}
