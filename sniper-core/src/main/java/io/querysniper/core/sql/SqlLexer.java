package io.querysniper.core.sql;

/**
 * A single-pass, allocation-free lexer for MySQL/MariaDB statement text, written for fingerprinting: it knows where
 * every literal starts and ends, and it never returns a token that lies after an unterminated quote or comment.
 *
 * <p>Comments ({@code -- }, {@code #}, C-style) and optimizer hints ({@code /*+ ... *}{@code /}) are skipped as
 * trivia; the content of versioned comments ({@code /*!50100 ... *}{@code /}, MariaDB {@code /*M!...}) is lexed as
 * SQL. A sign directly before a number is part of the literal when the sign cannot be a binary operator
 * ({@code a = -1}, but not {@code a -1}). A character-set introducer ({@code _utf8mb4'x'}, {@code _binary 0x41}) and
 * {@code N'..'}, {@code X'..'}, {@code B'..'} belong to their literal. Anything that starts with a digit is a
 * literal (MySQL would allow {@code 1abc} as an identifier; treating it as a value can never leak).
 *
 * <p>Usage: call {@link #next()} until it returns {@link Kind#END}; {@link #start()} and {@link #end()} delimit the
 * current token in the text. Never throws on any input.
 */
public final class SqlLexer {

    /** Token kinds. */
    public enum Kind {
        /** An unquoted identifier or keyword ({@link #keyword()} tells which). */
        WORD,
        /** A {@code `backtick quoted`} identifier, kept as written. */
        QUOTED_IDENTIFIER,
        /** '..', "..", N'..', _charset'..'. */
        STRING,
        /** 1, -1, 1.5e3, .5, and anything else that starts with a digit. */
        NUMBER,
        /** X'..' and 0x... */
        HEX,
        /** B'..' and 0b... */
        BIT,
        /** {@code ?}, {@code :name}, {@code :1}. */
        PLACEHOLDER,
        /** {@code @var}, {@code @@global}. */
        VARIABLE,
        /** Any operator or other punctuation ({@code =}, {@code <=>}, {@code *}, ...). */
        OPERATOR,
        LPAREN,
        RPAREN,
        COMMA,
        DOT,
        SEMICOLON,
        /** No more tokens: end of text, or the rest is inside an unterminated quote or comment. */
        END;

        /** True for the kinds that carry a value: literals and placeholders. */
        public boolean isValue() {
            return this == STRING || this == NUMBER || this == HEX || this == BIT || this == PLACEHOLDER;
        }
    }

    private final String s;
    private final int length;
    private final boolean backslashEscapes;
    private int pos;
    private int start;
    private Kind kind;
    private String keyword;
    private boolean inVersionedComment;
    private boolean truncated;
    private Kind previous;
    private String previousKeyword;

    /** A lexer with MySQL's default escaping (backslash escapes on). Null reads as empty text. */
    public SqlLexer(CharSequence sql) {
        this(sql, true);
    }

    /**
     * @param sql              the statement text; null reads as empty text
     * @param backslashEscapes false for sessions in sql_mode NO_BACKSLASH_ESCAPES
     */
    public SqlLexer(CharSequence sql, boolean backslashEscapes) {
        this.s = sql == null ? "" : sql.toString();
        this.length = s.length();
        this.backslashEscapes = backslashEscapes;
    }

    /** Start of the current token (inclusive), in chars of the text. */
    public int start() {
        return start;
    }

    /** End of the current token (exclusive). */
    public int end() {
        return pos;
    }

    /** The current token's text. */
    public String text() {
        return s.substring(start, pos);
    }

    /** The lower-case keyword when the current token is a WORD that is a keyword, else null. */
    public String keyword() {
        return keyword;
    }

    /** True once the text has ended inside a quote, quoted identifier or comment. */
    public boolean truncated() {
        return truncated;
    }

    /** The next token's kind; {@link Kind#END} forever after the end. */
    public Kind next() {
        if (kind == Kind.END) {
            return Kind.END;
        }
        keyword = null;
        skipTrivia();
        start = pos;
        if (pos >= length) {
            return emit(Kind.END);
        }
        char c = s.charAt(pos);
        if (c >= '0' && c <= '9') {
            return emit(number());
        }
        if (isWordChar(c)) {
            return emit(word());
        }
        switch (c) {
            case '\'', '"' -> {
                quoted(c, backslashEscapes);
                return emit(Kind.STRING);
            }
            case '`' -> {
                return quoted('`', false) ? emit(Kind.QUOTED_IDENTIFIER) : dropRest();
            }
            case '(' -> {
                pos++;
                return emit(Kind.LPAREN);
            }
            case ')' -> {
                pos++;
                return emit(Kind.RPAREN);
            }
            case ',' -> {
                pos++;
                return emit(Kind.COMMA);
            }
            case ';' -> {
                pos++;
                return emit(Kind.SEMICOLON);
            }
            case '?' -> {
                pos++;
                return emit(Kind.PLACEHOLDER);
            }
            case '.' -> {
                if (isDigit(at(pos + 1)) && !previousIsOperand()) {
                    return emit(number());
                }
                pos++;
                return emit(Kind.DOT);
            }
            case '-', '+' -> {
                char n = at(pos + 1);
                if ((isDigit(n) || (n == '.' && isDigit(at(pos + 2)))) && !previousIsOperand()) {
                    pos++;
                    Kind k = number();
                    return emit(k == Kind.HEX || k == Kind.BIT ? k : Kind.NUMBER);
                }
                return emit(operator());
            }
            case ':' -> {
                if (isWordChar(at(pos + 1)) || isDigit(at(pos + 1))) {
                    pos++;
                    skipWordChars();
                    return emit(Kind.PLACEHOLDER);
                }
                return emit(operator());
            }
            case '@' -> {
                int p = pos + 1;
                if (at(p) == '@') {
                    p++;
                }
                if (isWordChar(at(p)) || isDigit(at(p))) {
                    pos = p;
                    skipWordChars();
                    return emit(Kind.VARIABLE);
                }
                pos++; // '@' before a quoted name: the name lexes as its own token
                return emit(Kind.OPERATOR);
            }
            default -> {
                return emit(operator());
            }
        }
    }

    private Kind emit(Kind k) {
        kind = k;
        previous = k;
        previousKeyword = keyword;
        return k;
    }

    private Kind dropRest() {
        pos = length;
        start = length;
        return emit(Kind.END);
    }

    /** Whether the token before is something a sign or a dot would operate on (then they are binary/qualifiers). */
    private boolean previousIsOperand() {
        if (previous == null) {
            return false;
        }
        return switch (previous) {
            case WORD -> previousKeyword == null || isValueKeyword(previousKeyword);
            case QUOTED_IDENTIFIER, STRING, NUMBER, HEX, BIT, PLACEHOLDER, VARIABLE, RPAREN -> true;
            default -> false;
        };
    }

    private static boolean isValueKeyword(String k) {
        return switch (k) {
            case "null", "true", "false", "unknown", "end", "current_date", "current_time", "current_timestamp",
                 "current_user", "localtime", "localtimestamp", "utc_date", "utc_time", "utc_timestamp" -> true;
            default -> false;
        };
    }

    private void skipTrivia() {
        while (pos < length) {
            char c = s.charAt(pos);
            if (isSpace(c)) {
                pos++;
            } else if (c == '#') {
                skipLine();
            } else if (c == '-' && at(pos + 1) == '-' && (pos + 2 >= length || s.charAt(pos + 2) <= ' ')) {
                skipLine();
            } else if (c == '/' && at(pos + 1) == '*') {
                char third = at(pos + 2);
                if (third == '!') {
                    versionedComment(pos + 3);
                } else if ((third == 'M' || third == 'm') && at(pos + 3) == '!') {
                    versionedComment(pos + 4);
                } else {
                    int close = s.indexOf("*/", pos + 2);
                    if (close < 0) {
                        truncated = true;
                        pos = length;
                    } else {
                        pos = close + 2;
                    }
                }
            } else if (c == '*' && inVersionedComment && at(pos + 1) == '/') {
                inVersionedComment = false;
                pos += 2;
            } else {
                return;
            }
        }
    }

    private void versionedComment(int contentStart) {
        pos = contentStart;
        while (pos < length && isDigit(s.charAt(pos))) {
            pos++;
        }
        inVersionedComment = true;
    }

    private void skipLine() {
        while (pos < length) {
            char c = s.charAt(pos++);
            if (c == '\n' || c == '\r') {
                return;
            }
        }
    }

    /** Lexes a quoted run starting at the quote; false (and everything consumed) when it never closes. */
    private boolean quoted(char quote, boolean escapes) {
        pos++;
        while (pos < length) {
            char c = s.charAt(pos);
            if (c == quote) {
                if (at(pos + 1) == quote) {
                    pos += 2;
                    continue;
                }
                pos++;
                return true;
            }
            pos += (c == '\\' && escapes) ? 2 : 1;
        }
        pos = length;
        truncated = true;
        return false;
    }

    private Kind number() {
        boolean hex = false;
        boolean bit = false;
        if (s.charAt(pos) == '0') {
            char second = at(pos + 1);
            hex = second == 'x' || second == 'X';
            bit = second == 'b' || second == 'B';
        }
        int first = pos;
        while (pos < length) {
            char c = s.charAt(pos);
            if (isWordChar(c) || isDigit(c) || c == '.') {
                pos++;
            } else if ((c == '+' || c == '-') && !hex && pos > first && (s.charAt(pos - 1) | 0x20) == 'e'
                    && isDigit(at(pos + 1))) {
                pos++;
            } else {
                break;
            }
        }
        return hex ? Kind.HEX : bit ? Kind.BIT : Kind.NUMBER;
    }

    private Kind word() {
        char c = s.charAt(pos);
        char next = at(pos + 1);
        if (next == '\'') {
            switch (c) {
                case 'x', 'X' -> {
                    pos++;
                    quoted('\'', false);
                    return Kind.HEX;
                }
                case 'b', 'B' -> {
                    pos++;
                    quoted('\'', false);
                    return Kind.BIT;
                }
                case 'n', 'N' -> {
                    pos++;
                    quoted('\'', backslashEscapes);
                    return Kind.STRING;
                }
                default -> {
                }
            }
        }
        skipWordChars();
        if (c == '_' && pos - start > 1) {
            Kind introduced = introducedLiteral();
            if (introduced != null) {
                return introduced;
            }
        }
        keyword = Keywords.lookup(s, start, pos);
        return Kind.WORD;
    }

    /** After {@code _charset}: the literal it introduces (consumed), or null when none follows. */
    private Kind introducedLiteral() {
        int p = pos;
        while (p < length && isSpace(s.charAt(p))) {
            p++;
        }
        char c = at(p);
        char n = at(p + 1);
        if (c == '\'' || c == '"') {
            pos = p;
            quoted(c, backslashEscapes);
            return Kind.STRING;
        }
        if (n == '\'' && (c == 'x' || c == 'X' || c == 'b' || c == 'B')) {
            pos = p + 1;
            quoted('\'', false);
            return Kind.STRING;
        }
        if (c == '0' && (n == 'x' || n == 'X' || n == 'b' || n == 'B')) {
            pos = p;
            number();
            return Kind.STRING;
        }
        return null;
    }

    private Kind operator() {
        char c = s.charAt(pos);
        char n = at(pos + 1);
        int width = 1;
        switch (c) {
            case '<' -> width = (n == '=' && at(pos + 2) == '>') ? 3 : (n == '=' || n == '>' || n == '<') ? 2 : 1;
            case '>' -> width = (n == '=' || n == '>') ? 2 : 1;
            case '!' -> width = n == '=' ? 2 : 1;
            case ':' -> width = n == '=' ? 2 : 1;
            case '|' -> width = n == '|' ? 2 : 1;
            case '&' -> width = n == '&' ? 2 : 1;
            case '-' -> width = n == '>' ? (at(pos + 2) == '>' ? 3 : 2) : 1;
            default -> width = Character.isHighSurrogate(c) && Character.isLowSurrogate(n) ? 2 : 1;
        }
        pos += width;
        return Kind.OPERATOR;
    }

    private void skipWordChars() {
        while (pos < length) {
            char c = s.charAt(pos);
            if (isWordChar(c) || isDigit(c)) {
                pos++;
            } else {
                return;
            }
        }
    }

    private char at(int i) {
        return i < length ? s.charAt(i) : '\0';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Letters, '_', '$' and any non-space character beyond ASCII (MySQL allows them in unquoted names). */
    static boolean isWordChar(char c) {
        if (c < 0x80) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
        }
        return !isSpace(c);
    }

    /** ASCII controls and space, DEL, C1 controls, and Unicode spaces and line separators. */
    static boolean isSpace(char c) {
        if (c <= ' ') {
            return true;
        }
        if (c < 0x7F) {
            return false;
        }
        return c <= 0xA0 || c == 0x2028 || c == 0x2029 || c == 0xFEFF || Character.isSpaceChar(c)
                || Character.isWhitespace(c);
    }
}
