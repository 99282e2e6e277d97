package io.querysniper.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One entry of {@code query-sniper.alerts}: where alerts go, which ones, how they are grouped, and the
 * secrets the credentials file gives it ({@code alerts.<name>}). {@link #toString()} never shows a secret.
 *
 * @param databases       databases whose events go here; empty: all
 * @param rules           rules whose kill events go here; empty: all
 * @param events          the events this sink takes (never empty)
 * @param aggregateWindow how long the first event of a group waits for company (zero: send at once)
 * @param repeatInterval  how often a condition that stays true is sent again
 * @param severity        PagerDuty severity (critical, error, warning, info); null for other types
 * @param command         program and arguments of a command sink (never run by a shell); empty otherwise
 * @param timeout         bound on one delivery attempt (an HTTP call, a command run)
 * @param queueSize       notifications waiting for delivery at most; more are dropped and counted
 * @param url             endpoint (secret: Slack and webhook URLs carry their token); null for command sinks,
 *                        and for PagerDuty when the default endpoint is used
 * @param routingKey      PagerDuty integration key (secret), else null
 * @param hmacSecret      webhook signing secret, or null
 */
public record AlertSinkSettings(
        String name,
        Type type,
        Set<String> databases,
        Set<String> rules,
        Set<Event> events,
        Duration aggregateWindow,
        Duration repeatInterval,
        boolean sendResolved,
        String severity,
        List<String> command,
        Duration timeout,
        int queueSize,
        URI url,
        String routingKey,
        String hmacSecret) {

    /** Where a sink sends. */
    public enum Type {
        SLACK("slack", false), PAGERDUTY("pagerduty", true), WEBHOOK("webhook", true), COMMAND("command", true);

        private final String configName;
        private final boolean resolvedByDefault;

        Type(String configName, boolean resolvedByDefault) {
            this.configName = configName;
            this.resolvedByDefault = resolvedByDefault;
        }

        public String configName() {
            return configName;
        }

        /** Alertmanager's defaults: Slack false, the others true. */
        public boolean resolvedByDefault() {
            return resolvedByDefault;
        }
    }

    /** What can be alerted. */
    public enum Event {
        KILL("kill", false, false),
        WOULD_KILL("would-kill", false, false),
        GUARD_TRIPPED("guard-tripped", true, false),
        DATABASE_DOWN("database-down", true, false),
        COORDINATION_LOST("coordination-lost", true, false),
        NO_OWNER("no-owner", true, true),
        JOURNAL_SPOOLING("journal-spooling", true, false),
        JOURNAL_DROPPING("journal-dropping", true, false);

        private final String configName;
        private final boolean condition;
        private final boolean fleet;

        Event(String configName, boolean condition, boolean fleet) {
            this.configName = configName;
            this.condition = condition;
            this.fleet = fleet;
        }

        public String configName() {
            return configName;
        }

        /** A state that is true for a while (and has a resolved form), not a single happening like a kill. */
        public boolean condition() {
            return condition;
        }

        /** About the whole cluster, sent by one node at a time; the others are about one node or database. */
        public boolean fleet() {
            return fleet;
        }

        /** The default event list: all but would-kill, which a sink must ask for. */
        public static Set<Event> defaults() {
            java.util.EnumSet<Event> all = java.util.EnumSet.allOf(Event.class);
            all.remove(WOULD_KILL);
            return all;
        }
    }

    public AlertSinkSettings {
        databases = Set.copyOf(databases);
        rules = Set.copyOf(rules);
        events = Set.copyOf(events);
        command = List.copyOf(command);
    }

    /** Secrets masked: the URL's path and query carry Slack's and webhooks' tokens. */
    @Override
    public String toString() {
        return "AlertSinkSettings[name=" + name + ", type=" + type.configName() + ", databases=" + databases
                + ", rules=" + rules + ", events=" + events + ", aggregateWindow=" + aggregateWindow
                + ", repeatInterval=" + repeatInterval + ", sendResolved=" + sendResolved + ", severity=" + severity
                + ", command=" + command + ", timeout=" + timeout + ", queueSize=" + queueSize
                + ", url=" + (url == null ? null : maskedUrl(url)) + ", routingKey=" + (routingKey == null ? null : "****")
                + ", hmacSecret=" + (hmacSecret == null ? null : "****") + "]";
    }

    /** Scheme, host and port only: what a log line may show of an endpoint. */
    public static String maskedUrl(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/****";
    }
}
