package io.querysniper.mysql.export;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.querysniper.core.SniperException;

/**
 * The export table: its validated, backtick-quoted name and the SQL that creates and fills it. Only
 * names matching {@code [A-Za-z0-9_$]+}, optionally {@code schema.table}, are accepted, so a name can
 * never carry SQL; an unqualified name lives in the schema {@value #DEFAULT_SCHEMA}, created if missing
 * (the daemon's connections have no default schema).
 */
final class ExportTable {
    /** Schema of a table given without one. */
    static final String DEFAULT_SCHEMA = "query_sniper";

    private static final Pattern NAME = Pattern.compile("(?:([A-Za-z0-9_$]{1,64})\\.)?([A-Za-z0-9_$]{1,64})");

    /** Columns in insert order; {@code outcome} must stay last, see {@link #upsert(int)}. */
    static final List<String> COLUMNS = List.of("id", "time", "node", "database_name", "thread_id", "query_id",
            "user", "host", "schema_name", "command", "state", "age_ms", "transaction_age_ms", "rows_modified",
            "rule", "action", "error", "fingerprint", "digest", "server_digest", "tags", "dry_run", "outcome");

    private final String schema;
    private final String table;
    private final boolean defaultSchema;

    private ExportTable(String schema, String table, boolean defaultSchema) {
        this.schema = schema;
        this.table = table;
        this.defaultSchema = defaultSchema;
    }

    /** Parses {@code table} or {@code schema.table}; a bad name is a {@link SniperException} naming it. */
    static ExportTable parse(String name) {
        if (name == null) {
            throw new SniperException("export table name is missing");
        }
        var m = NAME.matcher(name);
        if (!m.matches()) {
            throw new SniperException("export table name '" + name
                    + "' is not a table name: [A-Za-z0-9_$]+ (at most 64 characters), optionally schema.table");
        }
        return m.group(1) == null ? new ExportTable(DEFAULT_SCHEMA, m.group(2), true)
                : new ExportTable(m.group(1), m.group(2), false);
    }

    /** {@code `schema`.`table`}. */
    String quoted() {
        return "`" + schema + "`.`" + table + "`";
    }

    String schema() {
        return schema;
    }

    String table() {
        return table;
    }

    /** True when the schema is ours to create ({@link #DEFAULT_SCHEMA}); a named schema must exist. */
    boolean createsSchema() {
        return defaultSchema;
    }

    String createSchema() {
        return "CREATE DATABASE IF NOT EXISTS `" + schema + "` DEFAULT CHARACTER SET utf8mb4";
    }

    /** Times are UTC. The column sizes are the bounds {@link ExportRow} cuts values to. */
    String createTable() {
        return "CREATE TABLE IF NOT EXISTS " + quoted() + " (\n"
                + "  `id` VARCHAR(" + ExportRow.ID_MAX + ") NOT NULL,\n"
                + "  `time` DATETIME(3) NOT NULL COMMENT 'UTC',\n"
                + "  `node` VARCHAR(" + ExportRow.NAME_MAX + ") NOT NULL,\n"
                + "  `database_name` VARCHAR(" + ExportRow.NAME_MAX + ") NOT NULL,\n"
                + "  `thread_id` BIGINT NOT NULL,\n"
                + "  `query_id` BIGINT NOT NULL,\n"
                + "  `user` VARCHAR(" + ExportRow.NAME_MAX + ") NULL,\n"
                + "  `host` VARCHAR(" + ExportRow.NAME_MAX + ") NULL,\n"
                + "  `schema_name` VARCHAR(" + ExportRow.NAME_MAX + ") NULL,\n"
                + "  `command` VARCHAR(" + ExportRow.SHORT_MAX + ") NULL,\n"
                + "  `state` VARCHAR(" + ExportRow.NAME_MAX + ") NULL,\n"
                + "  `age_ms` BIGINT NOT NULL,\n"
                + "  `transaction_age_ms` BIGINT NOT NULL,\n"
                + "  `rows_modified` BIGINT NOT NULL,\n"
                + "  `rule` VARCHAR(" + ExportRow.NAME_MAX + ") NULL,\n"
                + "  `action` VARCHAR(" + ExportRow.SHORT_MAX + ") NULL,\n"
                + "  `error` TEXT NULL,\n"
                + "  `fingerprint` TEXT NULL,\n"
                + "  `digest` VARCHAR(" + ExportRow.SHORT_MAX + ") NULL,\n"
                + "  `server_digest` VARCHAR(" + ExportRow.SHORT_MAX + ") NULL,\n"
                + "  `tags` JSON NULL,\n"
                + "  `dry_run` BOOLEAN NOT NULL,\n"
                + "  `outcome` VARCHAR(" + ExportRow.SHORT_MAX + ") NOT NULL,\n"
                + "  PRIMARY KEY (`id`),\n"
                + "  KEY `idx_time` (`time`)\n"
                + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COMMENT='Query Sniper kill records (copy of the journal)'";
    }

    /** Fails unless the table exists and can be read. */
    String probe() {
        return "SELECT `id`, `outcome` FROM " + quoted() + " WHERE 1 = 0";
    }

    /**
     * A multi-row upsert keyed by id, so an intent and its final record (or a retried batch) stay one row.
     * A late PENDING intent never overwrites a final record: every column keeps its value when the incoming
     * row is PENDING and the stored one is not. {@code outcome} is assigned last, so the guard reads the
     * stored outcome whether the server evaluates assignments in order (MySQL, MariaDB) or simultaneously.
     */
    String upsert(int rows) {
        String columns = COLUMNS.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
        String one = COLUMNS.stream().map(c -> "?").collect(Collectors.joining(", ", "(", ")"));
        String values = String.join(", ", java.util.Collections.nCopies(rows, one));
        String keep = "VALUES(`outcome`) = 'PENDING' AND `outcome` <> 'PENDING'";
        String updates = COLUMNS.stream().filter(c -> !c.equals("id"))
                .map(c -> "`" + c + "` = IF(" + keep + ", `" + c + "`, VALUES(`" + c + "`))")
                .collect(Collectors.joining(", "));
        return "INSERT INTO " + quoted() + " (" + columns + ") VALUES " + values + " ON DUPLICATE KEY UPDATE " + updates;
    }

    @Override
    public String toString() {
        return schema + "." + table;
    }
}
