package io.querysniper.core.rules;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.kill.KillBasis;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.SessionFilter;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.sql.Fingerprint;
import io.querysniper.core.sql.QueryHints;
import io.querysniper.core.watch.WatchSpec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Judges a snapshot against a database's rules. Pure: no I/O, no clock of its own (ages come from
 * the snapshot), safe to share between threads.
 *
 * <p>Rules are tried in order and the first rule a session breaks decides. A session breaks a rule
 * when it is not {@link ProtectedSessions protected}, the rule's conditions hold, it matches
 * {@code match} (AND) and no field of {@code ignore} (OR), it has not opted out with a skip comment
 * where the rule allows that, and it crosses at least one threshold that is set (inclusive):
 * busy-time for any non-Sleep command (lowered, never raised, by the query's own timeout hint),
 * idle-time for Sleep, transaction-time for an open transaction whether busy or idle. A pile-up rule
 * ({@code groupBy}) acts only on groups of at least {@code queryCount} breaking sessions; sessions of
 * smaller groups stay free for later rules, while every member of a qualifying group is decided by
 * it (so {@code all-but-oldest} really spares the oldest).
 */
public final class RuleEngine {
    /** Refusal text for a kill-query verdict on an idle session. */
    public static final String IDLE_KILL_QUERY =
            "KILL QUERY does nothing to an idle session (its open transaction stays): the rule needs kill-connection";
    private final WatchSpec spec;
    private final ProtectedSessions protectedSessions;
    private final StatusNeeds statusNeeds;
    private final SessionFilter sessionFilter;

    public RuleEngine(WatchSpec spec) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.protectedSessions = new ProtectedSessions(spec.protectedUsers());
        this.statusNeeds = statusNeeds(spec);
        this.sessionFilter = sessionFilter(spec);
    }

    public WatchSpec spec() {
        return spec;
    }

    /** The optional server readings this database's rule conditions need in each snapshot. */
    public StatusNeeds statusNeeds() {
        return statusNeeds;
    }

    /** The optional server readings the conditions of {@code spec}'s rules need. */
    public static StatusNeeds statusNeeds(WatchSpec spec) {
        boolean lag = false;
        boolean history = false;
        for (Rule r : spec.rules()) {
            lag |= r.when().replicaLagOver() != null;
            history |= r.when().historyListOver() >= 0;
        }
        return lag || history ? new StatusNeeds(lag, history) : StatusNeeds.NONE;
    }

    public ProtectedSessions protectedSessions() {
        return protectedSessions;
    }

    public Evaluation evaluate(ServerSnapshot snapshot) {
        List<Session> sessions = new ArrayList<>();
        for (Session s : snapshot.sessions()) {
            if (!protectedSessions.isProtected(s, snapshot)) {
                sessions.add(s);
            }
        }
        QueryHints[] hints = new QueryHints[sessions.size()];
        boolean[] decided = new boolean[sessions.size()];
        // Per undecided session, the rule it will break first (ties: the earlier rule), and in how long.
        Pending[] pending = new Pending[sessions.size()];
        List<Verdict> verdicts = new ArrayList<>();

        for (int r = 0; r < spec.rules().size(); r++) {
            Rule rule = spec.rules().get(r);
            if (!conditionsHold(rule.when(), snapshot.status())) {
                continue;
            }
            List<Hit> hits = new ArrayList<>();
            for (int i = 0; i < sessions.size(); i++) {
                if (decided[i]) {
                    continue;
                }
                Session s = sessions.get(i);
                if (!SessionMatcher.matchesAll(rule.match(), s)
                        || (!rule.ignore().isEmpty() && SessionMatcher.matchesAny(rule.ignore(), s))) {
                    continue;
                }
                if (hints[i] == null) {
                    hints[i] = QueryHints.parse(s.info(), spec.tagAllowList());
                }
                if (rule.allowSkip() && hints[i].skip()) {
                    continue;
                }
                Hit hit = null;
                for (Check c : checks(rule, s, hints[i])) {
                    if (c.age.compareTo(c.limit) >= 0) {
                        hit = new Hit(i, s, c);
                        break;
                    }
                    Duration left = c.limit.minus(c.age);
                    if (pending[i] == null || left.compareTo(pending[i].left) < 0) {
                        pending[i] = new Pending(rule, c, left);
                    }
                }
                if (hit != null) {
                    hits.add(hit);
                }
            }
            if (rule.groupBy() == null) {
                hits.sort(OLDEST_FIRST);
                for (Hit h : hits) {
                    decided[h.index] = true;
                    verdicts.add(verdict(rule, h, ""));
                }
            } else {
                verdicts.addAll(pileUps(rule, hits, decided));
            }
        }
        return upcoming(sessions, decided, pending, verdicts);
    }

    /**
     * Sessions that will cross a limit within the arming horizon (one interval and the look grid's lateness),
     * under a rule that needs nothing but the session itself to decide, are armed; every other pending
     * crossing brings the next look forward instead.
     */
    private Evaluation upcoming(List<Session> sessions, boolean[] decided, Pending[] pending, List<Verdict> verdicts) {
        Duration soonest = null;
        List<Evaluation.Upcoming> upcoming = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            Pending p = pending[i];
            if (decided[i] || p == null) {
                continue;
            }
            if (isArmable(p.rule) && p.left.compareTo(spec.armingHorizon()) <= 0) {
                Check atCrossing = new Check(p.check.what, p.check.limit, p.check.limit, p.check.limitName);
                upcoming.add(new Evaluation.Upcoming(verdict(p.rule, new Hit(i, sessions.get(i), atCrossing), ""), p.left));
            } else if (soonest == null || p.left.compareTo(soonest) < 0) {
                soonest = p.left;
            }
        }
        upcoming.sort(Comparator.comparing(Evaluation.Upcoming::dueIn));
        return new Evaluation(verdicts, nextLook(soonest), upcoming);
    }

    /** A rule whose verdict on a session depends on that session alone: its kill can be armed ahead. */
    static boolean isArmable(Rule rule) {
        return rule.groupBy() == null && rule.when().isEmpty();
    }

    /**
     * The sessions a look must fetch: those that can break a rule before the next look. The next look comes
     * at most one interval later; twice that is asked for, so a slow look or a late wake-up loses nothing.
     */
    public SessionFilter sessionFilter() {
        return sessionFilter;
    }

    static SessionFilter sessionFilter(WatchSpec spec) {
        Duration lookAhead = spec.interval().multipliedBy(2);
        Duration busy = null;
        Duration idle = null;
        Duration transaction = null;
        boolean rowsGuard = false;
        for (Rule r : spec.rules()) {
            busy = min(busy, r.busyTime());
            idle = min(idle, r.idleTime());
            transaction = min(transaction, r.transactionTime());
            rowsGuard |= r.maxRowsModified() >= 0;
        }
        // The transaction list only when a limit or a rollback guard reads it (see SessionFilter#transactions).
        return new SessionFilter(ahead(busy, lookAhead), ahead(idle, lookAhead), ahead(transaction, lookAhead),
                busy != null, rowsGuard);
    }

    private static Duration min(Duration a, Duration b) {
        return a == null ? b : b == null || a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration ahead(Duration limit, Duration lookAhead) {
        if (limit == null) {
            return null;
        }
        Duration d = limit.minus(lookAhead);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private List<Verdict> pileUps(Rule rule, List<Hit> hits, boolean[] decided) {
        Map<String, List<Hit>> groups = new LinkedHashMap<>();
        for (Hit h : hits) {
            groups.computeIfAbsent(groupKey(rule.groupBy(), h.session), k -> new ArrayList<>()).add(h);
        }
        List<Hit> victims = new ArrayList<>();
        Map<Hit, Integer> groupSize = new java.util.IdentityHashMap<>();
        int needed = Math.max(1, rule.queryCount());
        for (List<Hit> group : groups.values()) {
            if (group.size() < needed) {
                continue;
            }
            group.sort(OLDEST_FIRST);
            List<Hit> chosen = switch (rule.victims()) {
                case ALL -> group;
                case OLDEST -> group.subList(0, 1);
                case ALL_BUT_OLDEST -> group.subList(1, group.size());
            };
            for (Hit h : group) {
                decided[h.index] = true;
            }
            for (Hit h : chosen) {
                groupSize.put(h, group.size());
                victims.add(h);
            }
        }
        victims.sort(OLDEST_FIRST);
        List<Verdict> out = new ArrayList<>(victims.size());
        for (Hit h : victims) {
            out.add(verdict(rule, h, " (pile-up: " + groupSize.get(h) + " sessions by "
                    + rule.groupBy().configName() + ", victims " + rule.victims().configName() + ")"));
        }
        return out;
    }

    private static String groupKey(GroupBy by, Session s) {
        return switch (by) {
            case FINGERPRINT -> s.info() == null ? "" : Fingerprint.of(s.info()).digest();
            case USER -> s.user();
            case DB -> s.db() == null ? "" : s.db();
            case HOST -> {
                String bare = SessionMatcher.stripPort(s.host());
                yield bare == null ? s.host() : bare;
            }
        };
    }

    private static Verdict verdict(Rule rule, Hit h, String suffix) {
        String refusal = null;
        Session s = h.session;
        if (rule.action() == KillAction.KILL_QUERY && s.isSleeping()) {
            refusal = IDLE_KILL_QUERY;
        } else if (rule.action() != KillAction.LOG && rule.maxRowsModified() >= 0
                && s.rowsModified() > rule.maxRowsModified()) {
            refusal = "transaction modified " + s.rowsModified() + " rows > max-rows-modified "
                    + rule.maxRowsModified() + ": its rollback could outlast it";
        }
        Check c = h.check;
        String reason = c.what + " " + Durations.human(c.age) + " >= " + c.limitName + " " + Durations.human(c.limit) + suffix;
        KillBasis basis = switch (c.what) {
            case "idle" -> KillBasis.IDLE;
            case "transaction" -> KillBasis.TRANSACTION;
            default -> KillBasis.BUSY;
        };
        return new Verdict(s, rule, rule.action(), refusal, c.limit, reason, basis);
    }

    /** The thresholds of {@code rule} that apply to {@code s}, in order busy/idle, then transaction. */
    private static List<Check> checks(Rule rule, Session s, QueryHints hints) {
        List<Check> checks = new ArrayList<>(2);
        if (s.isSleeping()) {
            if (rule.idleTime() != null) {
                checks.add(new Check("idle", s.time(), rule.idleTime(), "idle-time"));
            }
        } else if (rule.busyTime() != null) {
            Duration own = hints.timeout();
            if (own != null && own.compareTo(rule.busyTime()) < 0) {
                checks.add(new Check("busy", s.time(), own, "query timeout"));
            } else {
                checks.add(new Check("busy", s.time(), rule.busyTime(), "busy-time"));
            }
        }
        if (rule.transactionTime() != null && s.hasTransaction()) {
            checks.add(new Check("transaction", s.transactionAge(), rule.transactionTime(), "transaction-time"));
        }
        return checks;
    }

    /** Every condition set must hold; an unknown reading makes the rule inactive. */
    static boolean conditionsHold(Conditions when, ServerStatus status) {
        if (when.isEmpty()) {
            return true;
        }
        ServerStatus st = status == null ? ServerStatus.UNKNOWN : status;
        if (when.replicaLagOver() != null
                && (st.replicaLag() == null || st.replicaLag().compareTo(when.replicaLagOver()) < 0)) {
            return false;
        }
        return when.historyListOver() < 0
                || (st.historyListLength() >= 0 && st.historyListLength() >= when.historyListOver());
    }

    private Duration nextLook(Duration soonest) {
        Duration d = soonest == null || soonest.compareTo(spec.interval()) > 0 ? spec.interval() : soonest;
        return d.compareTo(spec.minSpacing()) < 0 ? spec.minSpacing() : d;
    }

    private static final Comparator<Hit> OLDEST_FIRST = Comparator.<Hit, Duration>comparing(h -> h.check.age)
            .reversed().thenComparingLong(h -> h.session.threadId());

    private record Check(String what, Duration age, Duration limit, String limitName) {
    }

    private record Hit(int index, Session session, Check check) {
    }

    private record Pending(Rule rule, Check check, Duration left) {
    }
}
