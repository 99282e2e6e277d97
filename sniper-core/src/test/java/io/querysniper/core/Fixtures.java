package io.querysniper.core;

import io.querysniper.core.kill.KillAction;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.ThreadKind;
import io.querysniper.core.rules.Conditions;
import io.querysniper.core.rules.GroupBy;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.SessionMatch;
import io.querysniper.core.rules.TextMatch;
import io.querysniper.core.rules.Victims;
import io.querysniper.core.watch.WatchSpec;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Builders for sessions, rules and specs in core tests. */
public final class Fixtures {
    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Fixtures() {
    }

    public static Duration ms(long ms) {
        return Duration.ofMillis(ms);
    }

    public static Duration s(double seconds) {
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    public static TextMatch exact(String... values) {
        return new TextMatch(Set.of(values), List.of());
    }

    public static TextMatch regex(String... patterns) {
        return new TextMatch(Set.of(), Arrays.stream(patterns).map(Pattern::compile).toList());
    }

    public static SessionMatch matchUser(String... users) {
        return new SessionMatch(exact(users), null, null, null, null, null);
    }

    public static SessionBuilder session(long id) {
        return new SessionBuilder(id);
    }

    public static RuleBuilder rule(String name) {
        return new RuleBuilder(name);
    }

    public static WatchSpec spec(Rule... rules) {
        return new WatchSpec("db1", Duration.ofSeconds(1), ms(50), List.of(rules), Set.of("dba"), 60, false,
                Set.of("application", "route"));
    }

    public static ServerSnapshot snapshot(Session... sessions) {
        return snapshot(ServerStatus.UNKNOWN, sessions);
    }

    public static ServerSnapshot snapshot(ServerStatus status, Session... sessions) {
        return new ServerSnapshot(T0, List.of(sessions), Set.of(), status, true);
    }

    /** A session builder with harmless defaults: app@10.0.0.5, shop, a Query running 0 s. */
    public static final class SessionBuilder {
        private final long id;
        private long queryId = -1;
        private String user = "app";
        private String host = "10.0.0.5:50000";
        private String db = "shop";
        private String command = "Query";
        private String state = "executing";
        private String info = "select * from orders";
        private Duration time = Duration.ZERO;
        private Duration trx;
        private long rows;
        private ThreadKind kind = ThreadKind.FOREGROUND;
        private long trxId = -1;
        private long statementId = -1;

        SessionBuilder(long id) {
            this.id = id;
        }

        public SessionBuilder queryId(long v) { queryId = v; return this; }
        public SessionBuilder user(String v) { user = v; return this; }
        public SessionBuilder host(String v) { host = v; return this; }
        public SessionBuilder db(String v) { db = v; return this; }
        public SessionBuilder command(String v) { command = v; return this; }
        public SessionBuilder state(String v) { state = v; return this; }
        public SessionBuilder info(String v) { info = v; return this; }
        public SessionBuilder time(Duration v) { time = v; return this; }
        public SessionBuilder secs(double v) { time = s(v); return this; }
        public SessionBuilder trx(Duration v) { trx = v; return this; }
        public SessionBuilder rows(long v) { rows = v; return this; }
        public SessionBuilder kind(ThreadKind v) { kind = v; return this; }
        public SessionBuilder trxId(long v) { trxId = v; return this; }
        public SessionBuilder statementId(long v) { statementId = v; return this; }

        public SessionBuilder sleeping(double idleSeconds) {
            command = "Sleep";
            state = null;
            info = null;
            time = s(idleSeconds);
            return this;
        }

        public Session build() {
            return new Session(id, queryId, user, host, db, command, state, info, time, trx, rows, null, kind, trxId,
                    statementId);
        }
    }

    /** A rule builder: matches everything, kill-query, no thresholds until set. */
    public static final class RuleBuilder {
        private final String name;
        private SessionMatch match = SessionMatch.ANY;
        private SessionMatch ignore = SessionMatch.ANY;
        private Duration busy;
        private Duration idle;
        private Duration trx;
        private KillAction action = KillAction.KILL_QUERY;
        private GroupBy groupBy;
        private int queryCount;
        private Victims victims = Victims.ALL;
        private boolean allowSkip;
        private long maxRows = -1;
        private Conditions when = Conditions.NONE;

        RuleBuilder(String name) {
            this.name = name;
        }

        public RuleBuilder match(SessionMatch v) { match = v; return this; }
        public RuleBuilder ignore(SessionMatch v) { ignore = v; return this; }
        public RuleBuilder busy(Duration v) { busy = v; return this; }
        public RuleBuilder idle(Duration v) { idle = v; return this; }
        public RuleBuilder trx(Duration v) { trx = v; return this; }
        public RuleBuilder action(KillAction v) { action = v; return this; }
        public RuleBuilder allowSkip() { allowSkip = true; return this; }
        public RuleBuilder maxRows(long v) { maxRows = v; return this; }
        public RuleBuilder when(Conditions v) { when = v; return this; }

        public RuleBuilder pileUp(GroupBy by, int count, Victims v) {
            groupBy = by;
            queryCount = count;
            victims = v;
            return this;
        }

        public Rule build() {
            return new Rule(name, match, ignore, busy, idle, trx, action, groupBy, queryCount, victims, allowSkip,
                    maxRows, when);
        }
    }
}
