package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Options validation, path escaping, payload encoding, status rendering. */
class SmallPartsTest {

    @Test
    void optionsReportEveryProblemAtOnceAndMaskTheSecret() {
        assertThatThrownBy(() -> new ClusterOptions(" ", "/bad", Duration.ZERO, Duration.ZERO, null,
                Duration.ofSeconds(-1), "digest", null, null, 70000))
                .isInstanceOf(SniperException.class)
                .hasMessageContaining("connectString is blank")
                .hasMessageContaining("namespace")
                .hasMessageContaining("sessionTimeout")
                .hasMessageContaining("connectionTimeout")
                .hasMessageContaining("policy is missing")
                .hasMessageContaining("keepOwnedFor")
                .hasMessageContaining("authScheme and authBytes")
                .hasMessageContaining("embeddedPort");
        assertThatThrownBy(() -> ClusterOptions.defaults(null, null)).hasMessageContaining("dataDir is required");
        assertThatThrownBy(() -> ClusterOptions.defaults("h:1", null).withPolicy(CoordinationLossPolicy.KEEP_OWNED, Duration.ZERO))
                .hasMessageContaining("keepOwnedFor must be positive");
        ClusterOptions o = ClusterOptions.defaults(null, Path.of("data"))
                .withAuth("digest", "sniper:s3cret".getBytes(StandardCharsets.UTF_8));
        assertThat(o.toString()).doesNotContain("s3cret").contains("authBytes=***").contains("<embedded>");
    }

    @Test
    void databaseNamesBecomeOneSafePathSegment() {
        for (String name : List.of("orders", "a.b", ".", "..", "x/y", "ünïcode", "100%")) {
            String enc = ClusterPaths.encode(name);
            assertThat(enc).doesNotContain("/").isNotIn(".", "..");
            assertThat(ClusterPaths.decode(enc)).isEqualTo(name);
        }
        assertThat(ClusterPaths.latch("my_db-1")).isEqualTo("/latches/my_db-1");
    }

    @Test
    void payloadsRoundTrip() {
        NodeInfo n = new NodeInfo("n1", "h=1:2", "1.0", "abc", Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(Payloads.node(Payloads.node(n), "x")).isEqualTo(n);
        OwnerInfo o = new OwnerInfo("n1", Instant.parse("2026-01-02T03:04:05.123Z"));
        assertThat(Payloads.owner(Payloads.owner(o))).isEqualTo(o);
        assertThat(Payloads.node("garbage\\u12".getBytes(StandardCharsets.UTF_8), "fallback").id()).isEqualTo("fallback");
    }

    @Test
    void memberPayloadsCarryTheDatabaseListAndSessionTimeouts() {
        NodeInfo n = new NodeInfo("n1", "h", "1.0", "abc", Instant.parse("2026-01-02T03:04:05Z"),
                java.time.Duration.ofSeconds(6), java.time.Duration.ofSeconds(4));
        byte[] data = Payloads.node(n, List.of("b,1", "a", "ü/x"));
        assertThat(Payloads.node(data, "x")).isEqualTo(n);
        assertThat(n.sessionTimeoutRenegotiated()).isTrue();
        assertThat(Payloads.databases(data)).containsExactly("a", "b,1", "ü/x");
        assertThat(Payloads.databases(Payloads.node(n, List.of()))).isEmpty();
        assertThat(Payloads.databases(Payloads.node(n))).isNull(); // an older node: announces no list
    }

    @Test
    void statusJsonHasTheDocumentedShape() {
        ClusterStatus s = new ClusterStatus(
                List.of(new NodeInfo("n1", "h1", "1.0", "c1"), new NodeInfo("n\"2", "h2", "1.0", "c1")),
                Map.of("db2", new OwnerInfo("n1", Instant.parse("2026-01-01T00:00:00Z")),
                        "db1", new OwnerInfo("n\"2", null)),
                List.of("db3"));
        assertThat(s.toJson()).isEqualTo("{\"nodes\":["
                + "{\"id\":\"n1\",\"host\":\"h1\",\"version\":\"1.0\",\"configHash\":\"c1\",\"startedAt\":null},"
                + "{\"id\":\"n\\\"2\",\"host\":\"h2\",\"version\":\"1.0\",\"configHash\":\"c1\",\"startedAt\":null}],"
                + "\"owners\":{\"db1\":\"n\\\"2\",\"db2\":\"n1\"},"
                + "\"since\":{\"db1\":null,\"db2\":\"2026-01-01T00:00:00Z\"},"
                + "\"unowned\":[\"db3\"],\"config_mismatch\":[]}");
        assertThat(s.allOwned()).isFalse();
        assertThat(s.hasConfigMismatch()).isFalse();
        assertThat(s.toTable()).contains("DATABASE").contains("db3").contains("-- none --").contains("h2")
                .doesNotContain("MISMATCH");
    }

    @Test
    void statusNamesNodesWithAnotherConfig() {
        ClusterStatus s = new ClusterStatus(
                List.of(new NodeInfo("n1", "h1", "1.0", "c1"), new NodeInfo("n2", "h2", "1.0", "c2")),
                Map.of("db1", new OwnerInfo("n1", null)), List.of(), List.of("n2"));
        assertThat(s.hasConfigMismatch()).isTrue();
        assertThat(s.toJson()).startsWith("{\"nodes\":[").contains("\"owners\":{\"db1\":\"n1\"}")
                .endsWith(",\"unowned\":[],\"config_mismatch\":[\"n2\"]}");
        assertThat(s.toTable()).contains("CONFIG MISMATCH: n2 run");
    }
}
