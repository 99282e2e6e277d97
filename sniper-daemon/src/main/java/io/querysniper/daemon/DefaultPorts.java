package io.querysniper.daemon;

import io.querysniper.mysql.MysqlServerPort;

/** The production {@link PortFactory}: the MySQL/MariaDB adapter. */
public final class DefaultPorts {
    private DefaultPorts() {
    }

    public static PortFactory mysql() {
        return MysqlServerPort::new;
    }
}
