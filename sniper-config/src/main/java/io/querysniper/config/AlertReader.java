package io.querysniper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code query-sniper.alerts} from the config file and {@code alerts} from the credentials file
 * (URLs, routing keys and signing secrets live only there, and are shown as {@code ****} in problems).
 * Every problem is reported with key, file and line, like the rest of the settings.
 */
final class AlertReader {
    static final String ROOT = KeyCheck.ROOT + ".alerts";
    static final String CREDENTIALS_ENTRY = "alerts";
    static final Duration DEFAULT_AGGREGATE_WINDOW = Duration.ofSeconds(30);
    static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofHours(4);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    static final int DEFAULT_QUEUE_SIZE = 1000;
    static final String DEFAULT_SEVERITY = "error";
    static final Set<String> SEVERITIES = new LinkedHashSet<>(List.of("critical", "error", "warning", "info"));
    private static final Set<String> COMMON_KEYS = Set.of("type", "databases", "rules", "events", "aggregate-window",
            "repeat-interval", "send-resolved", "timeout", "queue-size");
    private static final Set<String> SECRET_KEYS = Set.of("url", "routing-key", "hmac-secret");
    private static final Map<String, AlertSinkSettings.Type> TYPES =
            RuleParser.choices(AlertSinkSettings.Type.values(), AlertSinkSettings.Type::configName);
    private static final Map<String, AlertSinkSettings.Event> EVENTS =
            RuleParser.choices(AlertSinkSettings.Event.values(), AlertSinkSettings.Event::configName);

    private AlertReader() {
    }

    /**
     * @param alerts      the user's {@code query-sniper.alerts} object, or null when not written
     * @param credentials the credentials file's {@code alerts} object, or null (then secrets are not checked:
     *                    commands that send nothing)
     */
    static AlertSettings read(ConfigObject alerts, String file, ConfigObject credentials, String credentialsFile,
                              boolean checkSecrets, Collection<String> databases, Collection<String> rules,
                              Problems problems) {
        Map<String, AlertSinkSettings> sinks = new LinkedHashMap<>();
        if (alerts == null) {
            alerts = com.typesafe.config.ConfigFactory.empty().root();
        }
        List<String> names = new ArrayList<>(alerts.keySet());
        ConfigObject sinkObjects = alerts;
        names.sort(Comparator.comparingInt((String n) -> sinkObjects.get(n).origin().lineNumber()).thenComparing(n -> n));
        for (String name : names) {
            String key = ROOT + "." + ConfigUtil.joinPath(name);
            ConfigValue v = alerts.get(name);
            if (!(v instanceof ConfigObject obj)) {
                problems.add(v.origin(), file, key, Section.renderPlain(v), "must be an object { type = ..., ... }");
                continue;
            }
            Section s = new Section(obj.toConfig(), key, obj.origin(), file, problems, r -> true, Set.of());
            if (!Names.SIMPLE.matcher(name).matches()) {
                s.problem("", name, "sink name must be a simple identifier ([A-Za-z0-9_.-]+)");
            }
            ConfigObject secrets = credentials == null ? null
                    : credentials.get(name) instanceof ConfigObject o ? o : null;
            if (credentials != null && credentials.containsKey(name) && secrets == null) {
                ConfigValue c = credentials.get(name);
                problems.add(c.origin(), credentialsFile, CREDENTIALS_ENTRY + "." + ConfigUtil.joinPath(name), "****",
                        "must be an object such as { url = \"...\" }");
            }
            AlertSinkSettings sink = readSink(name, s, obj, secrets, credentialsFile, checkSecrets, databases, rules);
            if (sink != null) {
                sinks.put(name, sink);
            }
        }
        if (credentials != null) {
            for (String name : credentials.keySet()) {
                if (!alerts.containsKey(name)) {
                    problems.add(credentials.get(name).origin(), credentialsFile,
                            CREDENTIALS_ENTRY + "." + ConfigUtil.joinPath(name), null,
                            "no sink of that name in " + ROOT + guess(name, alerts.keySet()));
                }
            }
        }
        return new AlertSettings(sinks);
    }

    private static AlertSinkSettings readSink(String name, Section s, ConfigObject raw, ConfigObject secrets,
                                              String credentialsFile, boolean checkSecrets,
                                              Collection<String> databases, Collection<String> ruleNames) {
        int before = s.problems().count();
        AlertSinkSettings.Type type = s.has("type") ? s.choice("type", TYPES) : null;
        if (!s.has("type")) {
            s.problem("", "needs a type: one of " + String.join(", ", TYPES.keySet()));
        }
        Set<String> allowed = new LinkedHashSet<>(COMMON_KEYS);
        if (type == AlertSinkSettings.Type.PAGERDUTY) {
            allowed.add("severity");
        }
        if (type == AlertSinkSettings.Type.COMMAND) {
            allowed.add("command");
        }
        if (type != null) {
            KeyCheck.checkFixed(raw, allowed, s);
        }
        Set<String> dbs = known(s, "databases", databases, "configured database");
        Set<String> rules = known(s, "rules", ruleNames, "rule of a configured database");
        Set<AlertSinkSettings.Event> events = AlertSinkSettings.Event.defaults();
        List<String> eventNames = s.strings("events");
        if (eventNames != null) {
            events = EnumSet.noneOf(AlertSinkSettings.Event.class);
            for (String e : eventNames) {
                AlertSinkSettings.Event ev = EVENTS.get(e);
                if (ev == null) {
                    s.problem("events", e, Section.choiceMessage(e, EVENTS.keySet()));
                } else {
                    events.add(ev);
                }
            }
            if (eventNames.isEmpty()) {
                s.problem("events", "must name at least one event (leave the key out for all of them)");
            }
        }
        Duration window = s.has("aggregate-window") ? s.duration("aggregate-window") : DEFAULT_AGGREGATE_WINDOW;
        if (window != null && window.isNegative()) {
            s.problem("aggregate-window", "must not be negative");
        }
        Duration repeat = s.has("repeat-interval") ? s.positiveDuration("repeat-interval") : DEFAULT_REPEAT_INTERVAL;
        Duration timeout = s.has("timeout") ? s.positiveDuration("timeout") : DEFAULT_TIMEOUT;
        Integer queueSize = s.has("queue-size") ? s.positiveInt("queue-size") : Integer.valueOf(DEFAULT_QUEUE_SIZE);
        Boolean resolved = s.bool("send-resolved");
        String severity = null;
        if (type == AlertSinkSettings.Type.PAGERDUTY) {
            severity = s.has("severity") ? s.string("severity") : DEFAULT_SEVERITY;
            if (severity != null && !SEVERITIES.contains(severity)) {
                s.problem("severity", Section.choiceMessage(severity, SEVERITIES));
            }
        }
        List<String> command = List.of();
        if (type == AlertSinkSettings.Type.COMMAND) {
            List<String> c = s.strings("command");
            if (c == null && !s.has("command")) {
                s.problem("", "needs command = [\"/path/to/program\", \"arg\", ...] (run without a shell)");
            } else if (c != null && (c.isEmpty() || c.get(0).isBlank())) {
                s.problem("command", "must name a program: [\"/path/to/program\", \"arg\", ...]");
            } else if (c != null) {
                command = c;
            }
        }

        // The secrets, from the credentials file.
        URI url = null;
        String routingKey = null;
        String hmac = null;
        String credKey = CREDENTIALS_ENTRY + "." + ConfigUtil.joinPath(name);
        Section cs = secrets == null ? null : new Section(secrets.toConfig(), credKey, secrets.origin(),
                credentialsFile, s.problems(), r -> true, SECRET_KEYS);
        if (type != null && checkSecrets) {
            Set<String> secretKeys = switch (type) {
                case SLACK -> Set.of("url");
                case PAGERDUTY -> Set.of("routing-key", "url");
                case WEBHOOK -> Set.of("url", "hmac-secret");
                case COMMAND -> Set.of();
            };
            if (cs != null) {
                KeyCheck.checkFixed(secrets, secretKeys, cs);
                url = cs.has("url") ? url(cs) : null;
                routingKey = cs.has("routing-key") ? cs.requiredString("routing-key") : null;
                hmac = cs.has("hmac-secret") ? cs.requiredString("hmac-secret") : null;
            }
            String needs = switch (type) {
                case SLACK, WEBHOOK -> cs != null && cs.has("url") ? null : "url";
                case PAGERDUTY -> cs != null && cs.has("routing-key") ? null : "routing-key";
                case COMMAND -> null;
            };
            if (needs != null) {
                s.problem("", "needs " + CREDENTIALS_ENTRY + " { " + ConfigUtil.joinPath(name) + " { " + needs
                        + " = \"...\" } } in the credentials file " + credentialsFile);
            }
            if (routingKey != null && routingKey.length() != 32) {
                cs.problem("routing-key", "****", "must be a PagerDuty integration key of 32 characters");
            }
        }
        if (s.problems().count() != before || type == null || window == null || repeat == null || timeout == null
                || queueSize == null || dbs == null || rules == null) {
            return null;
        }
        return new AlertSinkSettings(name, type, dbs, rules, events, window, repeat,
                resolved == null ? type.resolvedByDefault() : resolved, severity, command, timeout, queueSize,
                url, routingKey, hmac);
    }

    private static Set<String> known(Section s, String rel, Collection<String> known, String what) {
        List<String> names = s.strings(rel);
        if (names == null) {
            return s.has(rel) ? null : Set.of();
        }
        for (String n : names) {
            if (!known.contains(n)) {
                String guess = Names.closest(n, known);
                s.problem(rel, n, "is not a " + what + (guess == null ? "" : " (did you mean " + guess + "?)"));
            }
        }
        return new LinkedHashSet<>(names);
    }

    private static String guess(String name, Collection<String> names) {
        String g = Names.closest(name, names);
        return g == null ? "" : " (did you mean " + g + "?)";
    }

    private static URI url(Section cs) {
        String u = cs.requiredString("url");
        if (u == null) {
            return null;
        }
        try {
            URI uri = new URI(u);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                cs.problem("url", "****", "must be an http:// or https:// URL with a host");
                return null;
            }
            return uri;
        } catch (URISyntaxException e) {
            cs.problem("url", "****", "must be a URL (" + e.getReason() + ")");
            return null;
        }
    }
}
