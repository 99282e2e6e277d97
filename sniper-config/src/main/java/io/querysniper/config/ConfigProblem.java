package io.querysniper.config;

/**
 * One thing wrong with the configuration or credentials file.
 *
 * @param file    the file as it was given (or {@code reference.conf}), never null
 * @param line    1-based line number, or -1 when unknown
 * @param key     full key such as {@code query-sniper.databases.orders.rules[0].busy-time}, or null
 *                for a problem with the file as a whole (unreadable, syntax error)
 * @param value   the offending value as written, {@code ****} for secrets, or null when there is none
 * @param message what is wrong, in words an operator can act on
 */
public record ConfigProblem(String file, int line, String key, String value, String message) {

    /** {@code file:line: key: message (value: v)}, leaving out what is unknown. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (key != null) {
            sb.append(key).append(": ");
        }
        sb.append(message);
        if (value != null) {
            sb.append(" (value: ").append(value).append(')');
        }
        return sb.toString();
    }
}
