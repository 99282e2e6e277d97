package io.querysniper.config;

import io.querysniper.core.rules.Rule;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.KillMethod;
import io.querysniper.core.target.TlsSettings;
import io.querysniper.core.watch.WatchSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the keys a database shares with {@code defaults}. Called once for the defaults themselves
 * and once per database over its merged view (own keys over defaults), reporting only what it owns.
 */
final class DatabaseReader {
    static final Map<String, KillMethod> KILL_METHODS = RuleParser.choices(KillMethod.values(), KillMethod::configName);

    /** The shared keys of one database (or of defaults); a field is null when its value was bad. */
    record Common(Integer port, Duration interval, Duration minInterval, List<Rule> rules, Integer maxKillsPerMinute,
                  KillMethod killMethod, TlsSettings tls, Duration connectTimeout, Duration statementTimeout,
                  List<String> protectedUsers, List<String> tagAllowList, Integer maxKillConnections) {
    }

    /**
     * InnoDB refreshes the copy of its transaction list that INNODB_TRX shows (trx_i_s_cache) at most
     * every 100 ms: looks closer together would judge transactions on a stale list.
     */
    static final Duration MIN_MIN_INTERVAL = Duration.ofMillis(100);

    private DatabaseReader() {
    }

    /**
     * @param inheritedRules the defaults' rules, used when {@code s} does not set rules (null for defaults)
     */
    static Common readCommon(Section s, Path baseDir, RuleParser.RuleDefaults ruleDefaults, List<Rule> inheritedRules) {
        Long port = s.wholeBetween("port", 1, 65535);
        Duration interval = s.positiveDuration("interval");
        Duration minInterval = s.positiveDuration("min-interval");
        if (minInterval != null && minInterval.compareTo(MIN_MIN_INTERVAL) < 0) {
            s.problem("min-interval", "must be at least 100ms: InnoDB refreshes the transaction list the daemon"
                    + " reads (INNODB_TRX) at most every 100 ms, so closer looks would judge a stale list");
            minInterval = null;
        }
        if (interval != null && minInterval != null && minInterval.compareTo(interval) > 0
                && (s.owns("interval") || s.owns("min-interval"))) {
            s.problem("min-interval", Section.renderPlain(s.value("min-interval")),
                    "must not be greater than interval (" + Section.renderPlain(s.value("interval")) + ")");
        }
        List<Rule> rules = inheritedRules != null && !s.owns("rules") ? inheritedRules
                : RuleParser.parse(s, "rules", ruleDefaults);
        Integer maxKills = s.positiveInt("max-kills-per-minute");
        Integer maxKillConnections = s.positiveInt("max-kill-connections");
        KillMethod killMethod = s.choice("kill-method", KILL_METHODS);
        TlsSettings tls = Tls.read(s.child("tls"), baseDir);
        Duration connectTimeout = s.positiveDuration("connect-timeout");
        // HikariCP, which holds the connections, takes nothing under 250 ms (it would use 30 s instead).
        if (connectTimeout != null && connectTimeout.toMillis() < 250) {
            s.problem("connect-timeout", "must be at least 250ms");
            connectTimeout = null;
        }
        Duration statementTimeout = s.positiveDuration("statement-timeout");
        List<String> protectedUsers = s.strings("protected-users");
        List<String> tags = s.strings("tag-allow-list");
        return new Common(port == null ? null : port.intValue(), interval, minInterval, rules, maxKills, killMethod,
                tls, connectTimeout, statementTimeout, protectedUsers, tags, maxKillConnections);
    }

    /** The core records for one database, or null when anything they need was bad (already reported). */
    static DatabaseSettings build(String name, String host, String credentialsName, boolean dryRun,
                                  List<String> globalProtectedUsers, Common c) {
        if (host == null || c.port() == null || c.interval() == null || c.minInterval() == null
                || c.maxKillsPerMinute() == null || c.killMethod() == null || c.tls() == null
                || c.connectTimeout() == null || c.statementTimeout() == null || c.protectedUsers() == null
                || c.tagAllowList() == null || c.maxKillConnections() == null || globalProtectedUsers == null) {
            return null;
        }
        Set<String> protectedUsers = new LinkedHashSet<>(globalProtectedUsers);
        protectedUsers.addAll(c.protectedUsers());
        DatabaseTarget target = new DatabaseTarget(name, host, c.port(), c.tls(), c.killMethod(),
                c.connectTimeout(), c.statementTimeout(), c.maxKillConnections());
        WatchSpec watch = new WatchSpec(name, c.interval(), c.minInterval(), c.rules(), protectedUsers,
                c.maxKillsPerMinute(), dryRun, new LinkedHashSet<>(c.tagAllowList()), c.maxKillConnections());
        return new DatabaseSettings(name, target, credentialsName, watch);
    }
}
