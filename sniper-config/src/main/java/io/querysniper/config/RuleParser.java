package io.querysniper.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.querysniper.core.kill.KillAction;
import io.querysniper.core.rules.Conditions;
import io.querysniper.core.rules.GroupBy;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.rules.SessionMatch;
import io.querysniper.core.rules.TextMatch;
import io.querysniper.core.rules.Victims;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads a {@code rules = [...]} list into core {@link Rule}s, reporting every bad rule. */
final class RuleParser {
    static final Set<String> RULE_KEYS = Set.of("name", "match", "ignore", "busy-time", "idle-time",
            "transaction-time", "action", "group-by", "query-count", "victims", "allow-skip",
            "max-rows-modified", "when");
    static final Set<String> MATCH_KEYS = Set.of("user", "host", "db", "command", "state", "info");
    static final Set<String> WHEN_KEYS = Set.of("replica-lag-over", "history-list-over");
    static final String KILL_QUERY_ON_IDLE = "KILL QUERY does nothing to an idle session; use kill-connection";

    static final Map<String, KillAction> ACTIONS = choices(KillAction.values(), KillAction::configName);
    static final Map<String, GroupBy> GROUP_BYS = choices(GroupBy.values(), GroupBy::configName);
    static final Map<String, Victims> VICTIMS = choices(Victims.values(), Victims::configName);

    /**
     * What a rule takes for keys it leaves out ({@code defaults.rule-defaults} in reference.conf, the
     * only place these values are written). A field is null when its value was bad (already reported).
     */
    record RuleDefaults(KillAction action, Victims victims, Boolean allowSkip, Integer queryCount,
                        Integer groupQueryCount) {
        static RuleDefaults read(Section s) {
            return new RuleDefaults(s.choice("action", ACTIONS), s.choice("victims", VICTIMS), s.bool("allow-skip"),
                    s.positiveInt("query-count"), s.positiveInt("group-query-count"));
        }
    }

    private RuleParser() {
    }

    /** The rules under {@code rel} of {@code s}; an empty list when absent. Bad rules are left out. */
    static List<Rule> parse(Section s, String rel, RuleDefaults defaults) {
        ConfigValue v = s.value(rel);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof ConfigList list)) {
            s.problem(rel, "must be a list of rule objects");
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String key = s.key(rel) + "[" + i + "]";
            ConfigValue e = list.get(i);
            if (!(e instanceof ConfigObject obj)) {
                s.problems().add(e.origin(), s.file(), key, Section.renderPlain(e), "must be a rule object");
                continue;
            }
            Section r = s.nested(obj, key);
            int before = s.problems().count();
            Rule rule = parseRule(r, obj, defaults);
            ConfigValue nameValue = obj.get("name");
            String name = nameValue != null && nameValue.valueType() == ConfigValueType.STRING
                    ? (String) nameValue.unwrapped() : null;
            if (name != null) {
                Integer first = seen.putIfAbsent(name, i);
                if (first != null) {
                    r.problem("name", "duplicate rule name (also " + rel + "[" + first + "])");
                }
            }
            if (rule != null && s.problems().count() == before) {
                rules.add(rule);
            }
        }
        return rules;
    }

    private static Rule parseRule(Section r, ConfigObject raw, RuleDefaults d) {
        KeyCheck.checkFixed(raw, RULE_KEYS, r);
        String name = r.requiredString("name");
        SessionMatch match = parseMatch(r, "match");
        SessionMatch ignore = parseMatch(r, "ignore");
        Duration busy = r.positiveDuration("busy-time");
        Duration idle = r.positiveDuration("idle-time");
        Duration trx = r.positiveDuration("transaction-time");
        if (!r.has("busy-time") && !r.has("idle-time") && !r.has("transaction-time")) {
            r.problem("", "a rule needs at least one threshold: busy-time, idle-time or transaction-time");
        }
        KillAction action = r.has("action") ? r.choice("action", ACTIONS) : d.action();
        GroupBy groupBy = r.choice("group-by", GROUP_BYS);
        Integer queryCount = r.positiveInt("query-count");
        Victims victims = r.has("victims") ? r.choice("victims", VICTIMS) : d.victims();
        if (!r.has("group-by")) {
            for (String k : List.of("query-count", "victims")) {
                if (r.has(k)) {
                    r.problem(k, "has no effect without group-by");
                }
            }
        }
        Boolean allowSkip = r.has("allow-skip") ? r.bool("allow-skip") : d.allowSkip();
        long maxRows = -1;
        if (r.has("max-rows-modified")) {
            Long n = r.nonNegativeWhole("max-rows-modified");
            if (n != null) {
                maxRows = n;
            }
        }
        Conditions when = parseWhen(r);
        if (action == KillAction.KILL_QUERY && (idle != null || (trx != null && mayMatchSleep(match, ignore)))) {
            r.problem("action", KillAction.KILL_QUERY.configName(), KILL_QUERY_ON_IDLE);
        }
        Integer count = queryCount != null ? queryCount : groupBy != null ? d.groupQueryCount() : d.queryCount();
        if (name == null || action == null || victims == null || allowSkip == null || when == null || count == null
                || match == null || ignore == null || (busy == null && idle == null && trx == null)) {
            return null;
        }
        return new Rule(name, match, ignore, busy, idle, trx, action, groupBy, count, victims, allowSkip,
                maxRows, when);
    }

    /**
     * Whether a transaction-time rule can pick an idle (Sleep) session, whose open transaction KILL QUERY
     * cannot end: unless {@code match.command} leaves Sleep out or {@code ignore.command} takes it out.
     */
    private static boolean mayMatchSleep(SessionMatch match, SessionMatch ignore) {
        boolean matched = match == null || match.command() == null || commandMatchesSleep(match.command());
        boolean ignored = ignore != null && ignore.command() != null && commandMatchesSleep(ignore.command());
        return matched && !ignored;
    }

    private static boolean commandMatchesSleep(TextMatch command) {
        return command.matches("Sleep") || command.exact().stream().anyMatch("Sleep"::equalsIgnoreCase);
    }

    private static SessionMatch parseMatch(Section r, String rel) {
        ConfigValue v = r.value(rel);
        if (v == null) {
            return SessionMatch.ANY;
        }
        if (!(v instanceof ConfigObject obj)) {
            r.problem(rel, "must be an object");
            return null;
        }
        Section m = r.child(rel);
        KeyCheck.checkFixed(obj, MATCH_KEYS, m);
        int before = r.problems().count();
        SessionMatch match = new SessionMatch(text(m, "user"), text(m, "host"), text(m, "db"), text(m, "command"),
                text(m, "state"), info(m));
        return r.problems().count() == before ? match : null;
    }

    /** A string or a list of strings; {@code "/re/"} entries are regexes, the rest exact values. */
    private static TextMatch text(Section m, String rel) {
        ConfigValue v = m.value(rel);
        if (v == null) {
            return null;
        }
        List<String> entries;
        if (v.valueType() == ConfigValueType.LIST) {
            entries = m.strings(rel);
            if (entries == null) {
                return null;
            }
            if (entries.isEmpty()) {
                m.problem(rel, "must list at least one value");
                return null;
            }
        } else if (v.valueType() == ConfigValueType.OBJECT) {
            m.problem(rel, "must be a string or a list of strings");
            return null;
        } else {
            entries = List.of(String.valueOf(v.unwrapped()));
        }
        Set<String> exact = new LinkedHashSet<>();
        List<Pattern> patterns = new ArrayList<>();
        for (String e : entries) {
            if (e.length() >= 2 && e.startsWith("/") && e.endsWith("/")) {
                Pattern p = compile(m, rel, e, e.substring(1, e.length() - 1));
                if (p != null) {
                    patterns.add(p);
                }
            } else {
                exact.add(e);
            }
        }
        return new TextMatch(exact, patterns);
    }

    /** {@code info} is always one regex (slashes around it are allowed and dropped). */
    private static Pattern info(Section m) {
        String s = m.string("info");
        if (s == null) {
            return null;
        }
        String regex = s.length() >= 2 && s.startsWith("/") && s.endsWith("/") ? s.substring(1, s.length() - 1) : s;
        return compile(m, "info", s, regex);
    }

    private static Pattern compile(Section m, String rel, String written, String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            String where = e.getIndex() >= 0 ? " near index " + e.getIndex() : "";
            m.problem(rel, written, "bad regular expression: " + e.getDescription() + where);
            return null;
        }
    }

    private static Conditions parseWhen(Section r) {
        ConfigValue v = r.value("when");
        if (v == null) {
            return Conditions.NONE;
        }
        if (!(v instanceof ConfigObject obj)) {
            r.problem("when", "must be an object");
            return null;
        }
        Section w = r.child("when");
        KeyCheck.checkFixed(obj, WHEN_KEYS, w);
        int before = r.problems().count();
        Duration lag = w.positiveDuration("replica-lag-over");
        Long history = w.positiveWhole("history-list-over");
        return r.problems().count() == before ? new Conditions(lag, history == null ? -1 : history) : null;
    }

    static <E> Map<String, E> choices(E[] values, java.util.function.Function<E, String> name) {
        Map<String, E> m = new LinkedHashMap<>();
        for (E e : values) {
            m.put(name.apply(e), e);
        }
        return m;
    }
}
