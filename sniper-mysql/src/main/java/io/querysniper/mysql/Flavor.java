package io.querysniper.mysql;

/** Which server family a connection talks to; decides where sessions are read from and how KILL is sent. */
public enum Flavor {
    /** MariaDB: information_schema.PROCESSLIST with TIME_MS and QUERY_ID; {@code KILL QUERY ID}. */
    MARIADB("information_schema.PROCESSLIST + INNODB_TRX", true),
    /** MySQL 8.0.22+: performance_schema.processlist (no global mutex) + events_statements_current. */
    MYSQL8("performance_schema.processlist + threads + events_statements_current + INNODB_TRX", true),
    /** MySQL 5.7 and 8.0 before 8.0.22: information_schema.PROCESSLIST, whole seconds. */
    MYSQL57("information_schema.PROCESSLIST + INNODB_TRX", false);

    private final String sessionSource;
    private final boolean subSecondAges;

    Flavor(String sessionSource, boolean subSecondAges) {
        this.sessionSource = sessionSource;
        this.subSecondAges = subSecondAges;
    }

    /** Where sessions are read from, for the {@code check} command. */
    public String sessionSource() {
        return sessionSource;
    }

    /** True when the server gives statement ages with sub-second precision. */
    public boolean subSecondAges() {
        return subSecondAges;
    }

    /**
     * Detects the flavour from {@code SELECT VERSION()} (e.g. {@code 10.11.6-MariaDB-0+deb12u1},
     * {@code 8.0.36}, {@code 5.7.44-log}) and {@code @@version_comment}.
     */
    public static Flavor detect(String version, String versionComment) {
        String v = version == null ? "" : version;
        if (v.toLowerCase().contains("mariadb")
                || (versionComment != null && versionComment.toLowerCase().contains("mariadb"))) {
            return MARIADB;
        }
        int[] parts = numbers(v);
        int major = parts[0];
        int minor = parts[1];
        int patch = parts[2];
        if (major > 8 || (major == 8 && (minor > 0 || patch >= 22))) {
            return MYSQL8;
        }
        return MYSQL57;
    }

    private static int[] numbers(String version) {
        int[] out = new int[3];
        String[] pieces = version.split("[^0-9]+", 4);
        int i = 0;
        for (String p : pieces) {
            if (i == 3) {
                break;
            }
            if (!p.isEmpty()) {
                try {
                    out[i++] = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    break;
                }
            } else if (i > 0) {
                break;
            }
        }
        return out;
    }
}
