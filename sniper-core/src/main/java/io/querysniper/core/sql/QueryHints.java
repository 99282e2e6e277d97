package io.querysniper.core.sql;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a query says about itself in its comments and hints.
 *
 * <p>{@link #parse} is one forward pass over the text (no regular expressions), skipping string
 * literals so a {@code /*} inside a string is not a comment. Long statements are read only at their
 * head ({@value #WINDOW} characters) and their trailing comment: hints live there, and the work per
 * statement stays bounded however large the statement is.
 *
 * @param timeout  own limit from {@code /* query-sniper: timeout=5s * /} or the MAX_EXECUTION_TIME(ms)
 *                 optimizer hint (the shorter of the two), or null
 * @param skip     {@code /* query-sniper: skip * /} present
 * @param tags     sqlcommenter ({@code key='value',...}) or marginalia ({@code key:value,...}) tags from a
 *                 leading or trailing comment, only those whose names are in the allow-list
 */
public record QueryHints(Duration timeout, boolean skip, Map<String, String> tags) {
    public static final QueryHints NONE = new QueryHints(null, false, Map.of());

    /** Characters read at the head and at the tail of a long statement. */
    static final int WINDOW = 32 * 1024;
    /** Longest tag value kept; longer values are cut. */
    public static final int MAX_TAG_VALUE = 128;
    static final int MAX_TAGS = 32;
    /** Comments longer than this carry no tags or directives for us (and cost no more work). */
    static final int MAX_COMMENT = 4096;

    public QueryHints {
        tags = Map.copyOf(tags);
    }

    /** Never throws; returns {@link #NONE} for null or comment-free text. */
    public static QueryHints parse(CharSequence sql, Set<String> tagAllowList) {
        if (sql == null || sql.isEmpty()) {
            return NONE;
        }
        try {
            Scanner s = new Scanner(sql, tagAllowList == null ? Set.of() : tagAllowList);
            s.run();
            return s.result();
        } catch (RuntimeException | StackOverflowError e) {
            return NONE; // a hint must never cost a look at the server
        }
    }

    /** One pass over the head (and for long text, the tail) window. */
    private static final class Scanner {
        private final CharSequence sql;
        private final Map<String, String> allowed = new HashMap<>();
        private final Map<String, String> tags = new LinkedHashMap<>();
        private long ownTimeoutMs = -1;
        private long hintTimeoutMs = -1;
        private boolean skip;

        Scanner(CharSequence sql, Set<String> allowList) {
            this.sql = sql;
            for (String name : allowList) {
                allowed.put(name.toLowerCase(Locale.ROOT), name);
            }
        }

        void run() {
            int n = sql.length();
            if (n <= 2 * WINDOW) {
                scan(0, n, true, true);
            } else {
                scan(0, WINDOW, true, false);
                trailingComment(n);
            }
        }

        /**
         * The tail of a long statement cannot be lexed forward (it may start inside a string), so the
         * trailing comment is found backward: the text must end in {@code * /} (then blanks and ';').
         */
        private void trailingComment(int n) {
            int i = n - 1;
            while (i >= 0 && (Character.isWhitespace(sql.charAt(i)) || sql.charAt(i) == ';')) {
                i--;
            }
            if (i < 1 || sql.charAt(i) != '/' || sql.charAt(i - 1) != '*') {
                return;
            }
            int end = i - 1;
            for (int j = end - 2; j >= 0 && j >= end - MAX_COMMENT - 2; j--) {
                if (sql.charAt(j) == '/' && sql.charAt(j + 1) == '*') {
                    comment(j + 2, end, false, true);
                    tags(j + 2, end);
                    return;
                }
            }
        }

        QueryHints result() {
            long t = ownTimeoutMs;
            if (hintTimeoutMs > 0 && (t <= 0 || hintTimeoutMs < t)) {
                t = hintTimeoutMs;
            }
            Duration timeout = t > 0 ? Duration.ofMillis(t) : null;
            if (timeout == null && !skip && tags.isEmpty()) {
                return NONE;
            }
            return new QueryHints(timeout, skip, tags);
        }

        private void scan(int from, int to, boolean head, boolean tail) {
            boolean leading = head;
            int trailingStart = -1;
            int trailingEnd = -1;
            int i = from;
            while (i < to) {
                char c = sql.charAt(i);
                char next = i + 1 < to ? sql.charAt(i + 1) : 0;
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '/' && next == '*') {
                    int end = indexOfCommentEnd(i + 2, to);
                    int bodyEnd = end < 0 ? to : end;
                    comment(i + 2, bodyEnd, leading, true);
                    trailingStart = i + 2;
                    trailingEnd = end < 0 ? -1 : bodyEnd;
                    i = end < 0 ? to : end + 2;
                } else if ((c == '-' && next == '-' && (i + 2 >= to || Character.isWhitespace(sql.charAt(i + 2))))
                        || c == '#') {
                    int end = i;
                    while (end < to && sql.charAt(end) != '\n') {
                        end++;
                    }
                    comment(i + (c == '#' ? 1 : 2), end, false, false);
                    i = end;
                } else if (c == '\'' || c == '"' || c == '`') {
                    i = skipQuoted(i, to, c);
                    leading = false;
                    trailingStart = -1;
                } else {
                    if (c != ';') {
                        leading = false;
                        trailingStart = -1;
                    }
                    i++;
                }
            }
            if (tail && trailingStart >= 0 && trailingEnd > 0 && !leading) {
                tags(trailingStart, trailingEnd);
            }
        }

        private int indexOfCommentEnd(int from, int to) {
            for (int i = from; i + 1 < to; i++) {
                if (sql.charAt(i) == '*' && sql.charAt(i + 1) == '/') {
                    return i;
                }
            }
            return -1;
        }

        private int skipQuoted(int start, int to, char quote) {
            int i = start + 1;
            while (i < to) {
                char c = sql.charAt(i);
                if (c == '\\' && quote != '`') {
                    i += 2;
                } else if (c == quote) {
                    if (i + 1 < to && sql.charAt(i + 1) == quote) {
                        i += 2; // doubled quote inside the literal
                    } else {
                        return i + 1;
                    }
                } else {
                    i++;
                }
            }
            return to;
        }

        private void comment(int from, int to, boolean leading, boolean block) {
            if (to - from > MAX_COMMENT || to <= from) {
                return;
            }
            if (block && sql.charAt(from) == '+') {
                optimizerHints(from + 1, to);
                return;
            }
            if (directives(from, to)) {
                return;
            }
            if (leading && block) {
                tags(from, to);
            }
        }

        /** {@code MAX_EXECUTION_TIME(<ms>)} inside a {@code /*+ ... * /} optimizer hint comment. */
        private void optimizerHints(int from, int to) {
            String name = "max_execution_time";
            int at = indexOfIgnoreCase(name, from, to);
            while (at >= 0) {
                int i = skipSpaces(at + name.length(), to);
                if (i < to && sql.charAt(i) == '(') {
                    i = skipSpaces(i + 1, to);
                    int digitsStart = i;
                    long v = 0;
                    while (i < to && i - digitsStart < 12 && Character.isDigit(sql.charAt(i))) {
                        v = v * 10 + (sql.charAt(i) - '0');
                        i++;
                    }
                    i = skipSpaces(i, to);
                    if (i > digitsStart && i < to && sql.charAt(i) == ')' && v > 0) {
                        hintTimeoutMs = hintTimeoutMs > 0 ? Math.min(hintTimeoutMs, v) : v;
                    }
                }
                at = indexOfIgnoreCase(name, at + name.length(), to);
            }
        }

        /** {@code query-sniper: skip} / {@code query-sniper: timeout=5s}; true when the comment had them. */
        private boolean directives(int from, int to) {
            String marker = "query-sniper";
            int at = indexOfIgnoreCase(marker, from, to);
            if (at < 0) {
                return false;
            }
            int i = skipSpaces(at + marker.length(), to);
            if (i >= to || sql.charAt(i) != ':') {
                return false;
            }
            i++;
            int limit = Math.min(to, i + 256);
            while (i < limit) {
                char c = sql.charAt(i);
                if (Character.isWhitespace(c) || c == ',' || c == ';') {
                    i++;
                    continue;
                }
                int start = i;
                while (i < limit && !Character.isWhitespace(sql.charAt(i)) && sql.charAt(i) != ',' && sql.charAt(i) != ';') {
                    i++;
                }
                word(sql.subSequence(start, i).toString().toLowerCase(Locale.ROOT));
            }
            return true;
        }

        private void word(String w) {
            if (w.equals("skip")) {
                skip = true;
            } else if (w.startsWith("timeout=")) {
                long ms = parseDurationMs(w.substring("timeout=".length()));
                if (ms > 0) {
                    ownTimeoutMs = ownTimeoutMs > 0 ? Math.min(ownTimeoutMs, ms) : ms;
                }
            }
        }

        /** {@code 250ms}, {@code 5s}, {@code 2m}; -1 when malformed. */
        static long parseDurationMs(String v) {
            int i = 0;
            long n = 0;
            while (i < v.length() && i < 12 && Character.isDigit(v.charAt(i))) {
                n = n * 10 + (v.charAt(i) - '0');
                i++;
            }
            if (i == 0) {
                return -1;
            }
            return switch (v.substring(i)) {
                case "ms" -> n;
                case "s" -> n * 1000;
                case "m" -> n * 60_000;
                default -> -1;
            };
        }

        /** Tags from a leading or trailing comment: sqlcommenter when it has {@code ='}, else marginalia. */
        private void tags(int from, int to) {
            if (allowed.isEmpty() || to - from > MAX_COMMENT || to <= from) {
                return;
            }
            char first = sql.charAt(from);
            if (first == '!' || first == '+') {
                return; // executable comment or optimizer hint, not tags
            }
            String body = sql.subSequence(from, to).toString();
            if (body.contains("='")) {
                sqlcommenter(body);
            } else if (body.indexOf(':') > 0) {
                marginalia(body);
            }
        }

        private void sqlcommenter(String body) {
            int i = 0;
            int n = body.length();
            while (i < n && tags.size() < MAX_TAGS) {
                while (i < n && (body.charAt(i) == ',' || Character.isWhitespace(body.charAt(i)))) {
                    i++;
                }
                int eq = body.indexOf('=', i);
                if (eq < 0 || eq + 1 >= n || body.charAt(eq + 1) != '\'') {
                    return;
                }
                String key = percentDecode(body.substring(i, eq).trim());
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                while (j < n && body.charAt(j) != '\'') {
                    if (body.charAt(j) == '\\' && j + 1 < n) {
                        j++; // sqlcommenter escapes ' as \'
                    }
                    value.append(body.charAt(j));
                    j++;
                }
                if (j >= n) {
                    return; // unterminated value: not sqlcommenter
                }
                keep(key, percentDecode(value.toString()));
                i = j + 1;
            }
        }

        private void marginalia(String body) {
            for (String item : body.split(",", MAX_TAGS + 1)) {
                int colon = item.indexOf(':');
                if (colon <= 0) {
                    return;
                }
                String key = item.substring(0, colon).trim();
                for (int k = 0; k < key.length(); k++) {
                    char c = key.charAt(k);
                    if (!(Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.')) {
                        return; // not a marginalia comment
                    }
                }
                keep(key, item.substring(colon + 1).trim());
            }
        }

        private void keep(String key, String value) {
            String name = allowed.get(key.toLowerCase(Locale.ROOT));
            if (name == null || tags.size() >= MAX_TAGS) {
                return;
            }
            StringBuilder clean = new StringBuilder(Math.min(value.length(), MAX_TAG_VALUE));
            for (int k = 0; k < value.length() && clean.length() < MAX_TAG_VALUE; k++) {
                char c = value.charAt(k);
                clean.append(Character.isISOControl(c) ? '?' : c); // keep log lines one line
            }
            tags.put(name, clean.toString());
        }

        /** %XX decoding as UTF-8; bad escapes stay as they are; '+' stays '+'. Never throws. */
        static String percentDecode(String s) {
            if (s.indexOf('%') < 0) {
                return s;
            }
            StringBuilder out = new StringBuilder(s.length());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int i = 0;
            while (i < s.length()) {
                int hi = s.charAt(i) == '%' ? hex(s, i + 1) : -1;
                int lo = hi >= 0 ? hex(s, i + 2) : -1;
                if (hi >= 0 && lo >= 0) {
                    bytes.write(hi * 16 + lo);
                    i += 3;
                } else {
                    if (bytes.size() > 0) {
                        out.append(bytes.toString(StandardCharsets.UTF_8));
                        bytes.reset();
                    }
                    out.append(s.charAt(i));
                    i++;
                }
            }
            if (bytes.size() > 0) {
                out.append(bytes.toString(StandardCharsets.UTF_8));
            }
            return out.toString();
        }

        private static int hex(String s, int i) {
            return i < s.length() ? Character.digit(s.charAt(i), 16) : -1;
        }

        private int skipSpaces(int i, int to) {
            while (i < to && Character.isWhitespace(sql.charAt(i))) {
                i++;
            }
            return i;
        }

        private int indexOfIgnoreCase(String lowerNeedle, int from, int to) {
            int m = lowerNeedle.length();
            outer:
            for (int i = from; i + m <= to; i++) {
                for (int k = 0; k < m; k++) {
                    if (Character.toLowerCase(sql.charAt(i + k)) != lowerNeedle.charAt(k)) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
