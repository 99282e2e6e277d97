package io.querysniper.core.rules;

/**
 * Query text handed to an operator's regex with a budget of character reads, so a pattern that
 * backtracks catastrophically on one long statement gives up instead of holding the watcher thread
 * (and every other kill on that database) hostage. A linear scan reads each character a few times;
 * the budget allows {@link #READS_PER_CHAR} reads per character plus a floor for short texts.
 */
final class BoundedText implements CharSequence {
    static final int READS_PER_CHAR = 64;
    private static final long FLOOR = 1_000_000;

    /** Thrown when the budget is spent; no stack trace, it is control flow. */
    static final class BudgetExceeded extends RuntimeException {
        BudgetExceeded() {
            super("regex read budget exceeded", null, false, false);
        }
    }

    private final String text;
    private final long[] reads;
    private final long budget;
    private final int from;
    private final int to;

    BoundedText(String text) {
        this(text, new long[1], FLOOR + (long) READS_PER_CHAR * text.length(), 0, text.length());
    }

    private BoundedText(String text, long[] reads, long budget, int from, int to) {
        this.text = text;
        this.reads = reads;
        this.budget = budget;
        this.from = from;
        this.to = to;
    }

    @Override
    public int length() {
        return to - from;
    }

    @Override
    public char charAt(int index) {
        if (++reads[0] > budget) {
            throw new BudgetExceeded();
        }
        return text.charAt(from + index);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new BoundedText(text, reads, budget, from + start, from + end);
    }

    @Override
    public String toString() {
        return text.substring(from, to);
    }
}
