package io.querysniper.core.offline;

import io.querysniper.core.SniperException;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.ThreadKind;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a saved {@code SHOW FULL PROCESSLIST} as the mysql / mariadb client prints it, so rules can be
 * tried offline ({@code scan --from FILE}). Three layouts are recognised by their first line:
 * <ul>
 *   <li>batch ({@code mysql -B}, or {@code mysql -e} into a file): a tab-separated header line, then one
 *       line per row with {@code \t}, {@code \n}, {@code \\} and {@code \0} escaped and NULL spelled {@code NULL};</li>
 *   <li>table: the {@code +----+} boxed layout of an interactive client;</li>
 *   <li>vertical ({@code \G}): {@code *** 1. row ***} followed by {@code Name: value} lines.</li>
 * </ul>
 * A pasted terminal session works too: prompt lines before the output ({@code mysql> SHOW FULL PROCESSLIST;},
 * {@code MariaDB [(none)]> ...}, {@code ->} continuations) are skipped, and the output ends at its
 * "N rows in set" line or the next prompt, so whatever was typed after it is not read as rows.
 * Columns are found by name (Id, User, Host, db, Command, Time, State, Info; MariaDB's Progress and
 * optional Time_ms and Query_id columns are understood), so MySQL and MariaDB outputs both work; other
 * columns (MySQL 8's EXECUTION_ENGINE, Percona's Rows_sent and Rows_examined) are read and left out. In
 * {@code \G} output a line is a column when its name ends where the row's first name ends (the client
 * right-aligns the names), so a line of a multi-line Info that happens to hold a colon stays in Info.
 * Ages are whole seconds unless a Time_ms column is present. There is no transaction information in such a dump.
 * Errors are {@link SniperException}s naming the source and line.
 */
public final class ProcesslistDump {

    private static final Set<String> KNOWN = Set.of("id", "user", "host", "db", "command", "time", "state", "info",
            "progress", "time_ms", "query_id", "tid", "max_stage", "stage", "memory_used", "max_memory_used",
            "examined_rows", "sent_rows", "info_binary");

    private static final Set<String> REPLICATION_COMMANDS = Set.of("register slave", "register replica", "table dump",
            "connect out", "clone", "group replication data stream subscription");

    /** The mysql / mariadb client's default prompts: {@code mysql>}, {@code MariaDB [(none)]>}. */
    private static final Pattern PROMPT = Pattern.compile("(?i)\\s*(mysql|mariadb)( \\[[^\\]]*\\])?>(\\s.*)?");
    /** The client's last line after a result: "4 rows in set (0.00 sec)", "1 row in set, 1 warning (...)". */
    private static final Pattern FOOTER = Pattern.compile("(?i)\\s*(\\d+ rows? in set|empty set)\\b.*");
    /** A {@code \G} line "  Name: value" (or "Name:" for an empty value). */
    private static final Pattern FIELD = Pattern.compile("( *)([A-Za-z_][A-Za-z0-9_]*):( .*)?");

    private ProcesslistDump() {
    }

    /** Reads {@code file} (UTF-8). */
    public static ServerSnapshot read(Path file, Instant takenAt) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SniperException("cannot read process list dump " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString(), takenAt);
    }

    /** Parses dump text; {@code source} names it in error messages. */
    public static ServerSnapshot parse(String text, String source, Instant takenAt) {
        List<String> all = text.lines().toList();
        int first = 0;
        // Blank lines and, in a pasted terminal session, the prompt line(s) the command was typed on.
        while (first < all.size() && (all.get(first).isBlank() || isPromptBeforeOutput(all.get(first)))) {
            first++;
        }
        if (first == all.size()) {
            throw new SniperException(source + ": empty process list dump");
        }
        List<String> lines = all.subList(0, outputEnd(all, first));
        String head = lines.get(first).trim();
        Rows rows;
        if (head.startsWith("+")) {
            rows = table(lines, first, source);
        } else if (head.startsWith("*")) {
            rows = vertical(lines, first, source);
        } else {
            rows = batch(lines, first, source);
        }
        List<Session> sessions = new ArrayList<>(rows.rows.size());
        for (Row r : rows.rows) {
            sessions.add(session(r, source));
        }
        return new ServerSnapshot(takenAt, sessions, Set.of(), ServerStatus.UNKNOWN, rows.hasTimeMs);
    }

    private record Row(int line, Map<String, String> values) {
    }

    private record Rows(List<Row> rows, boolean hasTimeMs) {
    }

    /**
     * Before the output starts, any line with a prompt's '>' that cannot be the output's first line: the
     * default prompts, one set with --prompt (such as {@code root@db1 [shop]>}), the {@code ->} of a
     * command typed over several lines.
     */
    private static boolean isPromptBeforeOutput(String line) {
        String t = line.trim();
        return t.contains(">") && !t.startsWith("+") && !t.startsWith("*") && line.indexOf('\t') < 0;
    }

    /** Where the output that starts at {@code first} ends: at its "N rows in set" line or the next prompt. */
    private static int outputEnd(List<String> lines, int first) {
        for (int i = first + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (FOOTER.matcher(line).matches() || PROMPT.matcher(line).matches()) {
                return i;
            }
        }
        return lines.size();
    }

    // ---- batch -------------------------------------------------------------------------------------

    private static Rows batch(List<String> lines, int first, String source) {
        List<String> header = List.of(lines.get(first).split("\t", -1));
        List<String> names = columns(header, source, first + 1);
        List<Row> rows = new ArrayList<>();
        for (int i = first + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            String[] cells = line.split("\t", -1);
            if (cells.length != names.size()) {
                throw new SniperException(source + ":" + (i + 1) + ": expected " + names.size()
                        + " tab-separated columns, found " + cells.length);
            }
            Map<String, String> values = new HashMap<>();
            for (int c = 0; c < cells.length; c++) {
                values.put(names.get(c), "NULL".equals(cells[c]) ? null : unescape(cells[c]));
            }
            rows.add(new Row(i + 1, values));
        }
        return new Rows(rows, names.contains("time_ms"));
    }

    /** Undoes the mysql client's batch escapes: \t \n \r \\ \0. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 't' -> b.append('\t');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case '0' -> b.append('\0');
                    default -> b.append(n);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    // ---- table -------------------------------------------------------------------------------------

    private static Rows table(List<String> lines, int first, String source) {
        String border = lines.get(first).trim();
        List<Integer> bars = new ArrayList<>();
        for (int i = 0; i < border.length(); i++) {
            if (border.charAt(i) == '+') {
                bars.add(i);
            }
        }
        if (bars.size() < 2 || first + 1 >= lines.size()) {
            throw new SniperException(source + ":" + (first + 1) + ": not a process list table");
        }
        List<String> header = cells(lines.get(first + 1).trim(), bars, -1);
        List<String> names = columns(header, source, first + 2);
        int infoColumn = names.indexOf("info");
        List<Row> rows = new ArrayList<>();
        int i = first + 2;
        while (i < lines.size()) {
            String line = lines.get(i).trim();
            int lineNo = i + 1;
            i++;
            if (line.isEmpty() || line.startsWith("+") || !line.startsWith("|")) {
                continue; // borders
            }
            StringBuilder whole = new StringBuilder(lines.get(i - 1).stripLeading());
            // An Info cell with newlines spreads the row over several lines; it ends with a '|'.
            while (!whole.toString().stripTrailing().endsWith("|") && i < lines.size()) {
                whole.append('\n').append(lines.get(i));
                i++;
            }
            List<String> cells = cells(whole.toString().stripTrailing(), bars, infoColumn);
            if (cells.size() != names.size()) {
                throw new SniperException(source + ":" + lineNo + ": expected " + names.size() + " columns, found " + cells.size());
            }
            Map<String, String> values = new HashMap<>();
            for (int c = 0; c < cells.size(); c++) {
                values.put(names.get(c), "NULL".equals(cells.get(c)) ? null : cells.get(c));
            }
            rows.add(new Row(lineNo, values));
        }
        return new Rows(rows, names.contains("time_ms"));
    }

    /**
     * Cells by the border's column positions. The Info cell may be wider than its column (multi-byte
     * text) or span lines, so the columns after it are taken from the right, split on '|'.
     */
    private static List<String> cells(String line, List<Integer> bars, int infoColumn) {
        int columns = bars.size() - 1;
        String[] out = new String[columns];
        int end = line.lastIndexOf('|');
        int infoEnd = end;
        if (infoColumn >= 0) {
            for (int c = columns - 1; c > infoColumn; c--) {
                int bar = line.lastIndexOf('|', infoEnd - 1);
                out[c] = bar < 0 ? "" : line.substring(bar + 1, infoEnd).strip();
                infoEnd = Math.max(bar, 0);
            }
        }
        int last = infoColumn >= 0 ? infoColumn : columns - 1;
        for (int c = 0; c <= last; c++) {
            int from = Math.min(bars.get(c) + 1, line.length());
            int to = c == last ? infoEnd : Math.min(bars.get(c + 1), line.length());
            out[c] = from <= to ? line.substring(from, to).strip() : "";
        }
        return List.of(out);
    }

    // ---- vertical ----------------------------------------------------------------------------------

    private static Rows vertical(List<String> lines, int first, String source) {
        List<Row> rows = new ArrayList<>();
        Map<String, String> current = null;
        int currentLine = 0;
        String lastKey = null;
        // Where the names end in this row (the client right-aligns them), or -1 when the names are not
        // aligned (leading spaces lost in a copy): then only the known names start a column.
        int nameEnd = -1;
        boolean timeMs = false;
        for (int i = first; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.trim();
            if (trimmed.startsWith("***") && trimmed.contains(" row ")) {
                if (current != null) {
                    rows.add(new Row(currentLine, current));
                }
                current = new HashMap<>();
                currentLine = i + 1;
                lastKey = null;
                nameEnd = -1;
                continue;
            }
            if (current == null) {
                if (trimmed.isEmpty()) {
                    continue;
                }
                throw new SniperException(source + ":" + (i + 1) + ": expected a '*** 1. row ***' line");
            }
            Matcher field = FIELD.matcher(line);
            String key = null;
            if (field.matches()) {
                String name = field.group(2).toLowerCase(Locale.ROOT);
                int end = field.end(2);
                if (lastKey == null) {
                    nameEnd = field.group(1).isEmpty() ? -1 : end;
                }
                boolean aligned = nameEnd >= 0 ? end == nameEnd : KNOWN.contains(name);
                key = aligned && !current.containsKey(name) ? name : null;
            }
            if (key != null) {
                String value = field.group(3) == null ? "" : field.group(3).substring(1).strip();
                current.put(key, "NULL".equals(value) ? null : value);
                lastKey = key;
                timeMs |= key.equals("time_ms");
            } else if (lastKey != null) {
                String prev = current.get(lastKey);
                current.put(lastKey, (prev == null ? "" : prev) + "\n" + line); // multi-line Info
            } else if (!trimmed.isEmpty()) {
                throw new SniperException(source + ":" + (i + 1) + ": expected 'Name: value'");
            }
        }
        if (current != null) {
            rows.add(new Row(currentLine, current));
        }
        for (Row r : rows) {
            requireColumns(r.values.keySet(), source, r.line);
            r.values.replaceAll((k, v) -> v == null ? null : v.stripTrailing());
        }
        return new Rows(rows, timeMs);
    }

    // ---- common ------------------------------------------------------------------------------------

    private static List<String> columns(List<String> header, String source, int line) {
        List<String> names = new ArrayList<>(header.size());
        for (String h : header) {
            names.add(h.strip().toLowerCase(Locale.ROOT));
        }
        requireColumns(names, source, line);
        return names;
    }

    private static void requireColumns(java.util.Collection<String> names, String source, int line) {
        for (String needed : List.of("id", "user", "host", "command", "time")) {
            if (!names.contains(needed)) {
                throw new SniperException(source + ":" + line + ": no '" + needed + "' column (is this SHOW FULL PROCESSLIST output?)");
            }
        }
    }

    private static Session session(Row r, String source) {
        Map<String, String> v = r.values;
        long id = number(v.get("id"), "Id", source, r.line);
        Duration time;
        String ms = v.get("time_ms");
        if (ms != null && !ms.isBlank()) {
            try {
                time = Duration.ofNanos(Math.round(Double.parseDouble(ms.strip()) * 1_000_000));
            } catch (NumberFormatException e) {
                throw new SniperException(source + ":" + r.line + ": Time_ms '" + ms + "' is not a number");
            }
        } else {
            String t = v.get("time");
            time = Duration.ofSeconds(t == null || t.isBlank() ? 0 : Math.max(0, number(t, "Time", source, r.line)));
        }
        if (time.isNegative()) {
            time = Duration.ZERO;
        }
        String user = v.get("user") == null ? "" : v.get("user");
        String command = v.get("command") == null ? "" : v.get("command");
        String info = v.get("info");
        String queryId = v.get("query_id");
        long qid = queryId == null || queryId.isBlank() ? -1 : number(queryId, "Query_id", source, r.line);
        return new Session(id, qid, user, v.get("host") == null ? "" : v.get("host"), v.get("db"), command,
                blankToNull(v.get("state")), info, time, null, 0, null, kind(user, command));
    }

    /** A best guess; the rule engine protects server threads by user and command as well. */
    private static ThreadKind kind(String user, String command) {
        String c = command.toLowerCase(Locale.ROOT);
        if (c.startsWith("binlog dump") || c.startsWith("slave_") || REPLICATION_COMMANDS.contains(c)
                || (user.equals("system user") && (c.equals("connect") || c.equals("query")))) {
            return ThreadKind.REPLICATION;
        }
        if (c.equals("daemon") || c.equals("delayed insert") || user.equals("event_scheduler")
                || user.equals("system user")) {
            return ThreadKind.BACKGROUND;
        }
        return ThreadKind.FOREGROUND;
    }

    private static long number(String s, String column, String source, int line) {
        try {
            return Long.parseLong(s == null ? "" : s.strip());
        } catch (NumberFormatException e) {
            throw new SniperException(source + ":" + line + ": " + column + " '" + s + "' is not a whole number");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
