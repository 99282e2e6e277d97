package io.querysniper.core.sql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The shape of a query without its values: safe to log, journal and alert on.
 *
 * <p>See docs/fingerprint.md for the token rules. In short: literals and placeholders become {@code ?}, lists of
 * values after IN and rows after VALUES collapse to one form, comments and optimizer hints are dropped, versioned
 * comments are kept as SQL, keywords are lower-case, identifiers keep their spelling, whitespace is canonical, and
 * everything after an unterminated quote or comment is dropped.
 *
 * @param fingerprint literals replaced by {@code ?}, comments dropped, whitespace collapsed, keywords lower-case
 * @param digest      {@link #digestOf(String)} of the full fingerprint: 32 lower-case hex digits
 */
public record Fingerprint(String fingerprint, String digest) {

    /** Appended by {@link #truncate(int)} where it cut the fingerprint. */
    public static final String CUT_MARKER = "...";

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int DIGEST_BYTES = 16;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(Fingerprint::sha256);

    /** Never throws, never echoes a literal, linear time. Null reads as empty text. */
    public static Fingerprint of(CharSequence sql) {
        String text = textOf(sql);
        return new Fingerprint(text, digestOf(text));
    }

    /** As {@link #of(CharSequence)}, for sessions whose sql_mode has NO_BACKSLASH_ESCAPES. */
    public static Fingerprint of(CharSequence sql, boolean backslashEscapes) {
        String text = textOf(sql, backslashEscapes);
        return new Fingerprint(text, digestOf(text));
    }

    /** Only the fingerprint text, without computing the digest. Never throws. */
    public static String textOf(CharSequence sql) {
        return textOf(sql, true);
    }

    /** Only the fingerprint text; {@code backslashEscapes} false for sql_mode NO_BACKSLASH_ESCAPES. */
    public static String textOf(CharSequence sql, boolean backslashEscapes) {
        try {
            return Fingerprinter.render(sql, backslashEscapes);
        } catch (RuntimeException | StackOverflowError e) {
            return "?"; // a bug must never turn into a crash or a leak: reveal nothing
        }
    }

    /**
     * The digest of a fingerprint: the first 16 bytes of SHA-256 over its UTF-8 encoding (unpaired surrogates encode
     * as '?'), as 32 lower-case hex digits. Reproduce with {@code printf %s "$fp" | sha256sum | cut -c1-32}.
     */
    public static String digestOf(String fingerprint) {
        byte[] hash = SHA256.get().digest(fingerprint.getBytes(StandardCharsets.UTF_8));
        char[] hex = new char[DIGEST_BYTES * 2];
        for (int i = 0; i < DIGEST_BYTES; i++) {
            hex[2 * i] = HEX[(hash[i] >> 4) & 0xF];
            hex[2 * i + 1] = HEX[hash[i] & 0xF];
        }
        return new String(hex);
    }

    /**
     * This fingerprint cut to at most {@code maxChars} characters, ending in {@link #CUT_MARKER} when cut; the digest
     * stays the digest of the whole fingerprint, so cut records still join on it.
     */
    public Fingerprint truncate(int maxChars) {
        if (fingerprint.length() <= maxChars) {
            return this;
        }
        int keep = Math.max(0, maxChars - CUT_MARKER.length());
        if (keep > 0 && Character.isHighSurrogate(fingerprint.charAt(keep - 1))) {
            keep--; // never split a surrogate pair
        }
        String cut = fingerprint.substring(0, keep) + CUT_MARKER;
        return new Fingerprint(cut.length() <= maxChars ? cut : cut.substring(0, Math.max(0, maxChars)), digest);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
