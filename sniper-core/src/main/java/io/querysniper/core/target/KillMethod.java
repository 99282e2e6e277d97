package io.querysniper.core.target;

import io.querysniper.core.ConfigNamed;

/** How KILL is sent. AUTO picks a managed-server procedure when it exists and KILL is not granted. */
public enum KillMethod implements ConfigNamed {
    AUTO,
    /** Plain KILL [QUERY] / MariaDB KILL QUERY ID. */
    KILL,
    /** AWS RDS / Aurora: CALL mysql.rds_kill_query(id), mysql.rds_kill(id). */
    RDS,
    /** Azure Database for MySQL: CALL mysql.az_kill_query(id), mysql.az_kill(id). */
    AZURE;

    public static KillMethod fromConfigName(String name) {
        return ConfigNamed.fromConfigName(KillMethod.class, name, "kill-method");
    }
}
