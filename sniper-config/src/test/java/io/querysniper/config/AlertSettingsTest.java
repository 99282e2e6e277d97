package io.querysniper.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static io.querysniper.config.ConfigFiles.CREDENTIALS;
import static io.querysniper.config.ConfigFiles.problem;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code query-sniper.alerts} and the credentials file's {@code alerts}: the issue's keys are a contract. */
class AlertSettingsTest {
    private static final String SLACK_URL = "https://hooks.slack.example/services/T0/B0/slack-token-XYZ";
    private static final String ROUTING_KEY = "0123456789abcdef0123456789abcdef";
    private static final String HMAC = "hmac-very-secret";
    private static final String ISSUE_CONFIG = ConfigFiles.orders("    rules = [ { name = long-select, busy-time = 30s } ]")
            + "query-sniper.alerts {\n"
            + "  ops    { type = slack,     aggregate-window = 30s, events = [kill, guard-tripped] }\n"
            + "  oncall { type = pagerduty, severity = error, databases = [orders], events = [guard-tripped, no-owner, database-down] }\n"
            + "  audit  { type = webhook,   aggregate-window = 10s }\n"
            + "  hook   { type = command,   command = [\"/usr/local/bin/on-kill\"] }\n"
            + "}\n";
    private static final String ISSUE_CREDENTIALS = CREDENTIALS
            + "alerts { ops { url = \"" + SLACK_URL + "\" }, oncall { routing-key = \"" + ROUTING_KEY
            + "\", url = \"http://127.0.0.1:9/pd\" }, audit { url = \"https://audit.example/in\", hmac-secret = \"" + HMAC + "\" } }\n";

    @TempDir
    Path dir;

    @Test
    void theIssuesExampleReadsWithItsDefaults() {
        AlertSettings a = new ConfigFiles(dir).load(ISSUE_CONFIG, ISSUE_CREDENTIALS).alerts();
        assertThat(a.sinks()).containsOnlyKeys("ops", "oncall", "audit", "hook");
        AlertSinkSettings ops = a.sinks().get("ops");
        assertThat(ops.type()).isEqualTo(AlertSinkSettings.Type.SLACK);
        assertThat(ops.events()).containsExactlyInAnyOrder(AlertSinkSettings.Event.KILL, AlertSinkSettings.Event.GUARD_TRIPPED);
        assertThat(ops.sendResolved()).isFalse();
        assertThat(ops.repeatInterval()).isEqualTo(Duration.ofHours(4));
        assertThat(ops.url()).isEqualTo(URI.create(SLACK_URL));
        AlertSinkSettings oncall = a.sinks().get("oncall");
        assertThat(oncall.severity()).isEqualTo("error");
        assertThat(oncall.databases()).containsExactly("orders");
        assertThat(oncall.routingKey()).isEqualTo(ROUTING_KEY);
        assertThat(oncall.sendResolved()).isTrue();
        AlertSinkSettings audit = a.sinks().get("audit");
        assertThat(audit.aggregateWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(audit.events()).isEqualTo(AlertSinkSettings.Event.defaults());
        assertThat(audit.hmacSecret()).isEqualTo(HMAC);
        assertThat(a.sinks().get("hook").command()).isEqualTo(List.of("/usr/local/bin/on-kill"));
        assertThat(a.sinks().get("hook").aggregateWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(a.toString()).doesNotContain("slack-token", ROUTING_KEY, HMAC, "/in");
    }

    @Test
    void noAlertsSectionMeansNoSinks() {
        assertThat(new ConfigFiles(dir).load(ConfigFiles.orders("")).alerts().sinks()).isEmpty();
    }

    @Test
    void everyProblemNamesKeyFileAndLineAndNeverASecret() {
        String config = ConfigFiles.orders("") // lines 1-6
                + "query-sniper.alerts {\n"                                                    // 7
                + "  ops { type = slak }\n"                                                    // 8
                + "  pd { type = pagerduty, severity = loud, databases = [ordrs] }\n"          // 9
                + "  hook { type = command, events = [kil], aggregate-window = 5 }\n"          // 10
                + "  web { type = webhook, command = [\"x\"], repeat-interval = 0s }\n"        // 11
                + "}\n";
        String creds = CREDENTIALS                                                             // 1
                + "alerts {\n"                                                                 // 2
                + "  pd { routing-key = \"short-" + HMAC + "\" }\n"                            // 3
                + "  web { url = \"ftp://x/" + HMAC + "\", token = \"" + HMAC + "\" }\n"       // 4
                + "  gone { url = \"https://x/" + HMAC + "\" }\n"                              // 5
                + "}\n";
        ConfigFiles files = new ConfigFiles(dir);
        ConfigException e = files.fail(config, creds);
        String cfg = files.config.toString();
        String cred = files.credentials.toString();
        assertThat(problem(e, "query-sniper.alerts.ops.type")).isEqualTo(new ConfigProblem(cfg, 8,
                "query-sniper.alerts.ops.type", "slak", "must be one of: slack, pagerduty, webhook, command (did you mean slack?)"));
        assertThat(problem(e, "query-sniper.alerts.pd.severity").line()).isEqualTo(9);
        assertThat(problem(e, "query-sniper.alerts.pd.databases").message()).isEqualTo(
                "is not a configured database (did you mean orders?)");
        assertThat(problem(e, "query-sniper.alerts.hook.events").value()).isEqualTo("kil");
        assertThat(problem(e, "query-sniper.alerts.hook.aggregate-window").message()).isEqualTo(Section.DURATION_MESSAGE);
        assertThat(problem(e, "query-sniper.alerts.web.command").message()).startsWith("unknown key");
        assertThat(problem(e, "query-sniper.alerts.web.repeat-interval").line()).isEqualTo(11);
        assertThat(problem(e, "alerts.pd.routing-key")).isEqualTo(new ConfigProblem(cred, 3, "alerts.pd.routing-key",
                "****", "must be a PagerDuty integration key of 32 characters"));
        assertThat(problem(e, "alerts.web.url")).isEqualTo(new ConfigProblem(cred, 4, "alerts.web.url", "****",
                "must be an http:// or https:// URL with a host"));
        assertThat(problem(e, "alerts.web.token").file()).isEqualTo(cred);
        assertThat(problem(e, "alerts.gone").message()).startsWith("no sink of that name in query-sniper.alerts");
        assertThat(e.getMessage()).doesNotContain(HMAC);
    }

    @Test
    void aSinkWithoutItsSecretSaysWhereToPutIt() {
        ConfigFiles files = new ConfigFiles(dir);
        ConfigException e = files.fail(ConfigFiles.orders("")
                + "query-sniper.alerts { ops { type = slack }, oncall { type = pagerduty }, hook { type = command } }\n");
        assertThat(problem(e, "query-sniper.alerts.ops").message())
                .isEqualTo("needs alerts { ops { url = \"...\" } } in the credentials file " + files.credentials);
        assertThat(problem(e, "query-sniper.alerts.oncall").message()).contains("routing-key");
        assertThat(problem(e, "query-sniper.alerts.hook").message()).startsWith("needs command = ");
    }

    @Test
    void commandsThatSendNothingDoNotNeedTheSecrets() {
        ConfigFiles files = new ConfigFiles(dir);
        ConfigFiles.write(files.config, ConfigFiles.orders("") + "query-sniper.alerts { ops { type = slack } }\n");
        assertThat(SettingsLoader.load(files.config, null).alerts().sinks().get("ops").url()).isNull();
    }

    @Test
    void sendResolvedAndWouldKillOnRequest() {
        AlertSinkSettings ops = new ConfigFiles(dir).load(ConfigFiles.orders("")
                        + "query-sniper.alerts { ops { type = slack, send-resolved = true, events = [would-kill] } }\n",
                CREDENTIALS + "alerts.ops.url = \"" + SLACK_URL + "\"\n").alerts().sinks().get("ops");
        assertThat(ops.sendResolved()).isTrue();
        assertThat(ops.events()).isEqualTo(Set.of(AlertSinkSettings.Event.WOULD_KILL));
    }
}
