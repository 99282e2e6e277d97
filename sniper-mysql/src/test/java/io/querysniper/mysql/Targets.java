package io.querysniper.mysql;

import java.time.Duration;

import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.testkit.MariaDbServer;
import io.querysniper.testkit.Timing;

/** DatabaseTargets pointing at testkit servers. */
final class Targets {
    static final Duration CONNECT_TIMEOUT = Timing.seconds(1);
    static final Duration STATEMENT_TIMEOUT = Timing.seconds(2);

    private Targets() {
    }

    static DatabaseTarget plain(MariaDbServer db) {
        return with(db, new TlsSettings(TlsMode.DISABLED, null, null, null));
    }

    /** Plain TCP with its own connect-timeout (also how long a KILL waits for a pooled connection). */
    static DatabaseTarget plain(MariaDbServer db, Duration connectTimeout) {
        return new DatabaseTarget("test-" + db.port(), db.host(), db.port(),
                new TlsSettings(TlsMode.DISABLED, null, null, null), KillMethod.AUTO, connectTimeout, STATEMENT_TIMEOUT);
    }

    static DatabaseTarget with(MariaDbServer db, TlsSettings tls) {
        return new DatabaseTarget("test-" + db.port(), db.host(), db.port(), tls, KillMethod.AUTO,
                CONNECT_TIMEOUT, STATEMENT_TIMEOUT);
    }

    /** Plain TCP with a configured {@code kill-method}. */
    static DatabaseTarget killingWith(MariaDbServer db, KillMethod method) {
        return new DatabaseTarget("test-" + db.port(), db.host(), db.port(),
                new TlsSettings(TlsMode.DISABLED, null, null, null), method, CONNECT_TIMEOUT, STATEMENT_TIMEOUT);
    }
}
