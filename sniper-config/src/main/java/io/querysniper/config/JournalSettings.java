package io.querysniper.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code query-sniper.journal}.
 *
 * @param spoolDir        absolute; {@code <data-dir>/journal-spool} unless set
 * @param exportDatabase  configured database whose server receives a copy of the records, or null
 * @param exportTable     table name for that copy ({@code name} or {@code schema.name})
 * @param spoolMaxSize    bytes the local spool may hold; what would pass it is dropped and counted
 */
public record JournalSettings(
        boolean enabled,
        Duration retention,
        long maxRecords,
        Duration writeTimeout,
        Path spoolDir,
        String exportDatabase,
        String exportTable,
        long spoolMaxSize) {
    /** Smallest {@code journal.spool-max-size}: room for a few records (4 KB at most each). */
    public static final long MIN_SPOOL_MAX_SIZE = 64 * 1024;
}
