package io.querysniper.core.target;

/** How KILL is sent. AUTO picks a managed-server procedure when it exists and KILL is not granted. */
public enum KillMethod {
    AUTO("auto"),
    /** Plain KILL [QUERY] / MariaDB KILL QUERY ID. */
    KILL("kill"),
    /** AWS RDS / Aurora: CALL mysql.rds_kill_query(id), mysql.rds_kill(id). */
    RDS("rds"),
    /** Azure Database for MySQL: CALL mysql.az_kill_query(id), mysql.az_kill(id). */
    AZURE("azure");

    private final String configName;

    KillMethod(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static KillMethod fromConfigName(String name) {
        for (KillMethod m : values()) {
            if (m.configName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown kill-method '" + name + "' (expected auto, kill, rds or azure)");
    }
}
