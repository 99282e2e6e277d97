package io.querysniper.core.sql;

import io.querysniper.core.sql.SqlLexer.Kind;

import java.util.Arrays;

/**
 * Renders the token stream of one statement as its fingerprint, in one pass and linear time.
 *
 * <p>Values become {@code ?}. A parenthesised group that follows IN or VALUES, or that is an element of such a list,
 * and that holds only values becomes {@code (?+)}; consecutive identical elements of such a list collapse into one,
 * so {@code IN (1,2,3)}, {@code IN (4)}, {@code VALUES (1,'a'),(2,'b')} and {@code VALUES (3,'c')} each have one form.
 * Tokens are re-spaced canonically so whitespace never matters.
 */
final class Fingerprinter {

    private static final byte NONE = 0;
    private static final byte IN = 1;
    private static final byte VALUES = 2;

    private final SqlLexer lexer;
    private final StringBuilder out;

    // Per nesting depth (index 0 = outside any parenthesis).
    private int depth;
    private int[] openAt = new int[8];          // index in out of the '(' that opened this depth
    private int[] valueCount = new int[8];      // values directly inside
    private boolean[] onlyValues = new boolean[8];
    private boolean[] collapsible = new boolean[8];
    private byte[] list = new byte[8];          // this depth is a list whose group elements are deduplicated
    private byte[] pending = new byte[8];       // the last token at this depth was IN or VALUES
    private int[] lastElementStart = new int[8];
    private int[] lastElementEnd = new int[8];

    private Kind previous;                      // last token written, for spacing
    private boolean previousSpacedKeyword;      // last token was a clause keyword: '(' after it gets a space
    private boolean previousString;
    private boolean pendingSemicolon;

    private Fingerprinter(CharSequence sql, boolean backslashEscapes) {
        this.lexer = new SqlLexer(sql, backslashEscapes);
        int length = sql == null ? 0 : sql.length();
        this.out = new StringBuilder(Math.min(length, 1 << 16) + 16);
        lastElementEnd[0] = -1;
    }

    static String render(CharSequence sql, boolean backslashEscapes) {
        return new Fingerprinter(sql, backslashEscapes).run();
    }

    private String run() {
        for (Kind k = lexer.next(); k != Kind.END; k = lexer.next()) {
            if (k == Kind.SEMICOLON) {
                pendingSemicolon = true; // written only if a statement follows: trailing ';' do not count
                continue;
            }
            if (pendingSemicolon) {
                pendingSemicolon = false;
                write(Kind.SEMICOLON, ";");
            }
            switch (k) {
                case LPAREN -> open();
                case RPAREN -> close();
                default -> token(k);
            }
        }
        return out.toString();
    }

    private void token(Kind k) {
        int d = depth;
        if (list[d] == VALUES && k != Kind.COMMA) {
            list[d] = NONE; // the VALUES row list ended
        }
        if (d > 0) {
            if (k.isValue()) {
                valueCount[d]++;
            } else if (k != Kind.COMMA) {
                onlyValues[d] = false;
            }
        }
        pending[d] = NONE;
        if (k.isValue()) {
            if (!(k == Kind.STRING && previousString)) { // 'a' 'b' is one string in MySQL
                write(k, "?");
            }
            previousString = k == Kind.STRING;
            return;
        }
        previousString = false;
        switch (k) {
            case WORD -> {
                String keyword = lexer.keyword();
                if (keyword == null) {
                    write(k, lexer.text());
                } else {
                    write(k, keyword);
                    previousSpacedKeyword = isSpacedKeyword(keyword);
                    pending[d] = keyword.equals("in") ? IN
                            : (keyword.equals("values") || keyword.equals("value")) ? VALUES : NONE;
                }
            }
            case QUOTED_IDENTIFIER -> write(k, printable(lexer.text()));
            default -> write(k, lexer.text());
        }
    }

    private void open() {
        int d = depth;
        byte pend = pending[d];
        pending[d] = NONE;
        if (pend == VALUES) {
            list[d] = VALUES;
            lastElementEnd[d] = -1;
        }
        boolean element = list[d] != NONE;
        if (d > 0) {
            onlyValues[d] = false;
        }
        previousString = false;
        write(Kind.LPAREN, "(");
        int n = d + 1;
        ensureDepth(n);
        openAt[n] = out.length() - 1;
        valueCount[n] = 0;
        onlyValues[n] = true;
        collapsible[n] = pend == IN || element;
        list[n] = pend == IN ? IN : NONE;
        pending[n] = NONE;
        lastElementEnd[n] = -1;
        depth = n;
    }

    private void close() {
        previousString = false;
        int d = depth;
        if (d == 0) { // unbalanced: nothing to collapse
            pending[0] = NONE;
            write(Kind.RPAREN, ")");
            return;
        }
        write(Kind.RPAREN, ")");
        if (collapsible[d] && onlyValues[d] && valueCount[d] > 0) {
            out.setLength(openAt[d]);
            out.append("(?+)");
        }
        int start = openAt[d];
        int end = out.length();
        int p = d - 1;
        depth = p;
        if (list[p] != NONE) {
            int lastEnd = lastElementEnd[p];
            if (lastEnd >= 0 && start - lastEnd == 2 && out.charAt(lastEnd) == ',' && out.charAt(lastEnd + 1) == ' '
                    && sameText(lastElementStart[p], lastEnd, start, end)) {
                out.setLength(lastEnd); // same shape as the element before: one form for any count
            } else {
                lastElementStart[p] = start;
                lastElementEnd[p] = end;
            }
        }
    }

    private boolean sameText(int aStart, int aEnd, int bStart, int bEnd) {
        if (aEnd - aStart != bEnd - bStart) {
            return false;
        }
        for (int i = 0; i < aEnd - aStart; i++) {
            if (out.charAt(aStart + i) != out.charAt(bStart + i)) {
                return false;
            }
        }
        return true;
    }

    private void write(Kind k, String text) {
        if (previous != null && needsSpace(k)) {
            out.append(' ');
        }
        out.append(text);
        previousSpacedKeyword = false; // token() sets it again after a clause keyword
        previous = k;
    }

    private boolean needsSpace(Kind k) {
        return switch (k) {
            case COMMA, RPAREN, DOT, SEMICOLON -> false;
            case LPAREN -> !((previous == Kind.WORD && !previousSpacedKeyword) || previous == Kind.QUOTED_IDENTIFIER
                    || previous == Kind.VARIABLE || previous == Kind.LPAREN || previous == Kind.DOT);
            default -> previous != Kind.LPAREN && previous != Kind.DOT;
        };
    }

    /** Clause keywords keep a space before a following '(' ({@code exists (select ...)}); functions do not. */
    private static boolean isSpacedKeyword(String k) {
        return switch (k) {
            case "select", "from", "join", "where", "on", "and", "or", "not", "exists", "as", "union", "all", "any",
                 "some", "having", "by", "then", "else", "when", "case", "set", "into", "is", "like", "between",
                 "distinct", "with", "return", "xor", "lateral", "straight_join", "except", "intersect", "table",
                 "update", "limit", "offset", "using", "over", "window", "partition", "rlike", "regexp", "div",
                 "mod", "escape", "interval", "do" -> true;
            default -> false;
        };
    }

    /** Control characters inside a quoted identifier would break one-line-per-query output. */
    private static String printable(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (SqlLexer.isSpace(text.charAt(i)) && text.charAt(i) != ' ') {
                StringBuilder b = new StringBuilder(text);
                for (int j = i; j < b.length(); j++) {
                    if (SqlLexer.isSpace(b.charAt(j))) {
                        b.setCharAt(j, ' ');
                    }
                }
                return b.toString();
            }
        }
        return text;
    }

    private void ensureDepth(int n) {
        if (n < openAt.length) {
            return;
        }
        int size = openAt.length * 2;
        openAt = Arrays.copyOf(openAt, size);
        valueCount = Arrays.copyOf(valueCount, size);
        onlyValues = Arrays.copyOf(onlyValues, size);
        collapsible = Arrays.copyOf(collapsible, size);
        list = Arrays.copyOf(list, size);
        pending = Arrays.copyOf(pending, size);
        lastElementStart = Arrays.copyOf(lastElementStart, size);
        lastElementEnd = Arrays.copyOf(lastElementEnd, size);
    }
}
