package io.querysniper.daemon.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SettingsLoader;
import io.querysniper.testkit.TestCertificates;

/**
 * The deploy kit, checked with the tools its files are written for, where there is no Docker engine or
 * Kubernetes cluster: compose files by {@code docker-compose config}, the manifests as kustomize renders
 * them, the systemd unit by {@code systemd-analyze verify}, the alert rules by {@code promtool}. A missing
 * tool skips its test (.ci/run installs them). That the probes' paths and the dashboard's metrics exist
 * in the running daemon is {@code DevClusterProcessIT}'s part.
 */
class DeployKitTest {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void composeFilesAreValid() {
        Tools.ComposeCommand compose = Tools.compose();
        Tools.run(ROOT, compose.with("-f", "docker-compose.yml", "config", "-q"));
        Tools.run(ROOT, compose.with("-f", "docker-compose.yml", "-f", ".devcontainer/docker-compose.devcontainer.yml",
                "config", "-q"));
    }

    @Test
    void composeAndDevClusterGiveTheSharedConfigEveryVariableItNeeds() throws IOException {
        Set<String> needed = requiredVariables(ROOT.resolve("deploy/common/query-sniper.conf"));
        assertThat(needed).contains("QS_PRIMARY_HOST", "QS_ZOOKEEPER", "QS_TLS_CA");

        // As compose resolves them (anchors and merge keys included).
        JsonNode compose = YAML.readTree(Tools.run(ROOT, Tools.compose().with("-f", "docker-compose.yml",
                "-f", ".devcontainer/docker-compose.devcontainer.yml", "config")));
        for (String service : List.of("sniper1", "sniper2", "sniper3", "dev")) {
            Set<String> given = fieldNames(compose.path("services").path(service).path("environment"));
            assertThat(given).as("environment of compose service %s", service).containsAll(needed);
        }

        String devCluster = Files.readString(ROOT.resolve("bin/dev-cluster"));
        String nodeEnv = devCluster.substring(devCluster.indexOf("node_env() {"), devCluster.indexOf("wait_for() {"));
        for (String variable : needed) {
            assertThat(nodeEnv).as("bin/dev-cluster node_env").contains(variable + "=");
        }
    }

    @Test
    void kubernetesManifestsRenderWithProbesAndTheSecretWhereTheCommandLineReadsIt(@TempDir Path tmp) throws IOException {
        List<JsonNode> docs = render("deploy/kubernetes");
        Map<String, JsonNode> byKind = new java.util.HashMap<>();
        docs.forEach(d -> byKind.putIfAbsent(d.path("kind").asText(), d));
        JsonNode configMap = docs.stream().filter(d -> d.path("data").has("query-sniper.conf")).findFirst().orElseThrow();
        assertThat(byKind.keySet()).containsExactlyInAnyOrder("Namespace", "ServiceAccount", "ConfigMap", "Secret",
                "Service", "Deployment", "PodDisruptionBudget", "NetworkPolicy");

        JsonNode deployment = byKind.get("Deployment");
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(pod.path("affinity").path("podAntiAffinity").isMissingNode()).isFalse();
        assertThat(byKind.get("PodDisruptionBudget").path("spec").path("maxUnavailable").asInt()).isEqualTo(1);

        JsonNode container = pod.path("containers").get(0);
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/livez");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/readyz");
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(9742);
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();

        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        String configArg = args.get(args.indexOf("--config") + 1);
        String credentialsArg = args.get(args.indexOf("--credentials") + 1);
        String secretName = byKind.get("Secret").path("metadata").path("name").asText();
        String configMapName = configMap.path("metadata").path("name").asText();
        assertThat(mountedFile(pod, container, credentialsArg)).isEqualTo("secret:" + secretName);
        assertThat(mountedFile(pod, container, configArg)).isEqualTo("configMap:" + configMapName);

        // The config ConfigMap and the credentials Secret are a valid pair for the daemon, given a CA where the
        // CA ConfigMap is mounted.
        assertThat(mountedFile(pod, container, "/etc/query-sniper/tls/ca.pem")).startsWith("configMap:query-sniper-ca");
        Path config = tmp.resolve("query-sniper.conf");
        Path credentials = tmp.resolve("credentials.conf");
        Path ca = TestCertificates.generate(tmp.resolve("certs")).caCert();
        Files.writeString(config, configMap.path("data").path("query-sniper.conf").asText()
                .replace("/etc/query-sniper/tls/ca.pem", ca.toString()));
        Files.write(credentials, Base64.getMimeDecoder().decode(
                byKind.get("Secret").path("data").path("credentials.conf").asText()));
        LoadedSettings settings = SettingsLoader.load(config, credentials);
        assertThat(settings).isNotNull();

        List<JsonNode> withMonitoring = render("deploy/kubernetes/monitoring");
        assertThat(withMonitoring).extracting(d -> d.path("kind").asText()).contains("ServiceMonitor", "Deployment");
    }

    @Test
    void systemdUnitVerifiesAndPassesItsCredentialToTheDaemon() throws IOException {
        Path unit = ROOT.resolve("deploy/systemd/query-sniper.service");
        String text = Files.readString(unit);
        assertThat(text).contains("LoadCredential=credentials.conf:")
                .contains("--credentials ${CREDENTIALS_DIRECTORY}/credentials.conf")
                .contains("NoNewPrivileges=yes").contains("ProtectSystem=strict")
                .contains("ReadWritePaths=/var/lib/query-sniper");
        Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)s$").matcher(text);
        assertThat(stop.find()).isTrue();
        // The daemon's own stop budget (its watchdog: the stop stages' bounds added up, about 20 s): systemd
        // must not SIGKILL it before that.
        assertThat(Integer.parseInt(stop.group(1))).isGreaterThan(20);
        Tools.run(unit.getParent(), Tools.require("systemd-analyze"), "verify", unit.getFileName().toString());
    }

    @Test
    void alertRulesPassPromtool() {
        Tools.run(ROOT.resolve("deploy/monitoring"), Tools.require("promtool"), "check", "rules", "alert-rules.yml");
    }

    @Test
    void dashboardAndRulesCoverKillsOvershootOwnershipLeaseSpoolAndAlerts() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("deploy/monitoring/query-sniper-dashboard.json").toFile());
        Set<String> named = DashboardMetrics.of(dashboard);
        named.addAll(DashboardMetrics.inText(Files.readString(ROOT.resolve("deploy/monitoring/alert-rules.yml"))));
        assertThat(named).contains("query_sniper_kills_total", "query_sniper_kill_overshoot_seconds",
                "query_sniper_database_owned", "query_sniper_lease_age_seconds", "query_sniper_journal_spool_records",
                "query_sniper_alert_queue_depth");
    }

    @Test
    void dockerfileBuildsWithMavenAndRunsAJreAsNonRootWithAHealthcheck() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("Dockerfile"));
        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).hasSize(2);
        assertThat(from.get(0)).contains("maven").contains("AS build");
        assertThat(from.get(1)).contains("temurin:21-jre");
        assertThat(lines).anyMatch(l -> l.matches("USER \\d+:\\d+") && !l.startsWith("USER 0"));
        assertThat(lines).anyMatch(l -> l.startsWith("HEALTHCHECK") || l.contains("/livez"));
        // Config and credentials are mounted, never baked in.
        assertThat(lines).noneMatch(l -> l.startsWith("COPY") && (l.contains(".conf") || l.contains("credentials")));
    }

    private static List<JsonNode> render(String dir) throws IOException {
        String yaml = Tools.run(ROOT, Tools.require("kubectl"), "kustomize", dir);
        List<JsonNode> docs = new ArrayList<>();
        try (var it = YAML.readerFor(JsonNode.class).readValues(new YAMLFactory().createParser(yaml))) {
            while (it.hasNext()) {
                docs.add((JsonNode) it.next());
            }
        }
        return docs;
    }

    /** Which volume ("secret:NAME" or "configMap:NAME") holds {@code file} inside the container. */
    private static String mountedFile(JsonNode pod, JsonNode container, String file) {
        for (JsonNode mount : container.path("volumeMounts")) {
            String at = mount.path("mountPath").asText();
            String sub = mount.path("subPath").asText("");
            boolean holds = sub.isEmpty() ? file.startsWith(at + "/") : file.equals(at);
            if (!holds) {
                continue;
            }
            for (JsonNode volume : pod.path("volumes")) {
                if (volume.path("name").asText().equals(mount.path("name").asText())) {
                    if (volume.has("secret")) {
                        return "secret:" + volume.path("secret").path("secretName").asText();
                    }
                    if (volume.has("configMap")) {
                        return "configMap:" + volume.path("configMap").path("name").asText();
                    }
                    return "other:" + volume.path("name").asText();
                }
            }
        }
        return "not mounted";
    }

    private static Set<String> requiredVariables(Path hocon) throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\$\\{(QS_[A-Z_]+)}").matcher(Files.readString(hocon, StandardCharsets.UTF_8));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
