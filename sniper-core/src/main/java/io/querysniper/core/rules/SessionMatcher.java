package io.querysniper.core.rules;

import io.querysniper.core.model.Session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Applies {@link SessionMatch} to sessions: as {@code match} every set field must match (AND), as
 * {@code ignore} any set field matching is enough (OR). Host is tried both as shown
 * ({@code 10.0.0.5:51234}) and without its client port, so {@code host = ["10.0.0.5"]} works.
 */
final class SessionMatcher {
    private static final Logger log = LoggerFactory.getLogger(SessionMatcher.class);
    private static final long GIVE_UP_WARNING_EVERY_NANOS = 60_000_000_000L;
    private static final AtomicLong lastGiveUpWarning = new AtomicLong(System.nanoTime() - GIVE_UP_WARNING_EVERY_NANOS - 1);
    private SessionMatcher() {
    }

    static boolean matchesAll(SessionMatch m, Session s) {
        return (m.user() == null || m.user().matches(s.user()))
                && (m.host() == null || hostMatches(m.host(), s.host()))
                && (m.db() == null || m.db().matches(s.db()))
                && (m.command() == null || m.command().matches(s.command()))
                && (m.state() == null || m.state().matches(s.state()))
                && (m.info() == null || infoMatches(m.info(), s, false));
    }

    static boolean matchesAny(SessionMatch m, Session s) {
        return (m.user() != null && m.user().matches(s.user()))
                || (m.host() != null && hostMatches(m.host(), s.host()))
                || (m.db() != null && m.db().matches(s.db()))
                || (m.command() != null && m.command().matches(s.command()))
                || (m.state() != null && m.state().matches(s.state()))
                || (m.info() != null && infoMatches(m.info(), s, true));
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

    /**
     * The info regex on the query text, with a bounded amount of work. A pattern that cannot decide
     * within its budget (or overflows the stack) answers {@code undecided}: false for {@code match},
     * so the rule does not fire on a guess, true for {@code ignore}, so the session stays protected.
     */
    private static boolean infoMatches(Pattern p, Session s, boolean undecided) {
        if (s.info() == null) {
            return false;
        }
        try {
            return p.matcher(new BoundedText(s.info())).find();
        } catch (BoundedText.BudgetExceeded | StackOverflowError e) {
            gaveUp(p, s);
            return undecided;
        }
    }

    private static void gaveUp(Pattern p, Session s) {
        long now = System.nanoTime();
        long last = lastGiveUpWarning.get();
        if (now - last > GIVE_UP_WARNING_EVERY_NANOS && lastGiveUpWarning.compareAndSet(last, now)) {
            log.warn("info regex /{}/ gave up on thread {} ({} chars): it backtracks too much; treated as undecided "
                    + "(no match for 'match', matched for 'ignore'). Simplify the pattern.", p.pattern(),
                    s.threadId(), s.info().length());
        }
    }
}
