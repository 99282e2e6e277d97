package io.querysniper.core.rules;

import io.querysniper.core.model.Session;

import java.util.regex.Pattern;

/**
 * Applies {@link SessionMatch} to sessions: as {@code match} every set field must match (AND), as
 * {@code ignore} any set field matching is enough (OR). Host is tried both as shown
 * ({@code 10.0.0.5:51234}) and without its client port, so {@code host = ["10.0.0.5"]} works.
 */
final class SessionMatcher {
    private SessionMatcher() {
    }

    static boolean matchesAll(SessionMatch m, Session s) {
        return (m.user() == null || m.user().matches(s.user()))
                && (m.host() == null || hostMatches(m.host(), s.host()))
                && (m.db() == null || m.db().matches(s.db()))
                && (m.command() == null || m.command().matches(s.command()))
                && (m.state() == null || m.state().matches(s.state()))
                && (m.info() == null || infoMatches(m.info(), s.info()));
    }

    static boolean matchesAny(SessionMatch m, Session s) {
        return (m.user() != null && m.user().matches(s.user()))
                || (m.host() != null && hostMatches(m.host(), s.host()))
                || (m.db() != null && m.db().matches(s.db()))
                || (m.command() != null && m.command().matches(s.command()))
                || (m.state() != null && m.state().matches(s.state()))
                || (m.info() != null && infoMatches(m.info(), s.info()));
    }

    private static boolean hostMatches(TextMatch t, String host) {
        if (t.matches(host)) {
            return true;
        }
        String bare = stripPort(host);
        return bare != null && t.matches(bare);
    }

    /** {@code 10.0.0.5:51234} -> {@code 10.0.0.5}; {@code [::1]:5} -> {@code ::1}; otherwise null. */
    static String stripPort(String host) {
        if (host == null) {
            return null;
        }
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            return close > 0 ? host.substring(1, close) : null;
        }
        int colon = host.lastIndexOf(':');
        if (colon <= 0 || host.indexOf(':') != colon) {
            return null; // no port, or a bare IPv6 address
        }
        return host.substring(0, colon);
    }

    private static boolean infoMatches(Pattern p, String info) {
        return info != null && p.matcher(info).find();
    }
}
