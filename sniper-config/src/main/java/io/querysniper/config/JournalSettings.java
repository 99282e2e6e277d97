package io.querysniper.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code query-sniper.journal}.
 *
 * @param spoolDir        absolute; {@code <data-dir>/journal-spool} unless set
 * @param exportDatabase  configured database whose server receives a copy of the records, or null
 * @param exportTable     table name for that copy ({@code name} or {@code schema.name})
 */
public record JournalSettings(
        boolean enabled,
        Duration retention,
        long maxRecords,
        Duration writeTimeout,
        Path spoolDir,
        String exportDatabase,
        String exportTable) {
}
