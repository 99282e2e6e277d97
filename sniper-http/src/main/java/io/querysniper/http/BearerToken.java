package io.querysniper.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Checks an {@code Authorization} header against the configured token, in constant time. */
final class BearerToken {
    private static final String SCHEME = "Bearer ";

    private BearerToken() {
    }

    /** True when no token is set, or the header carries exactly it. */
    static boolean accepts(String expected, String authorization) {
        if (expected == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] given = authorization.substring(SCHEME.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected.getBytes(StandardCharsets.UTF_8));
    }
}
