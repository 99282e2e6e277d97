package io.querysniper.core.sql;

/** A text whose every read fails (a driver's lazy value gone bad): what the parsers must survive. */
final class UnreadableText implements CharSequence {
    static final UnreadableText TEN_CHARS = new UnreadableText(10);

    private final int length;

    private UnreadableText(int length) {
        this.length = length;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public char charAt(int index) {
        throw new IllegalStateException("unreadable");
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        throw new IllegalStateException("unreadable");
    }

    @Override
    public String toString() {
        throw new IllegalStateException("unreadable");
    }
}
