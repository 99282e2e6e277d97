package io.querysniper.http;

import io.querysniper.testkit.FreePort;
import io.querysniper.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The server against a fake daemon: routes, the token, the page's escaping, TLS. */
class SniperHttpServerTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    private final AtomicReference<String> token = new AtomicReference<>();
    private final AtomicInteger reloads = new AtomicInteger();
    private volatile Readiness readiness = Readiness.ok();
    private volatile List<RecentKill> kills = List.of();
    private SniperHttpServer server;

    @TempDir
    Path dir;

    private final Endpoints fake = new Endpoints() {
        @Override
        public Metrics metrics(String accept) {
            return new Metrics(accept != null && accept.contains("openmetrics") ? "application/openmetrics-text" : "text/plain",
                    "query_sniper_polls_total{database=\"a\"} 3.0\n");
        }

        @Override
        public Readiness readiness() {
            return readiness;
        }

        @Override
        public StatusReport status() {
            return new StatusReport("n1", "1.0", "abcdef0123456789", "CONNECTED", List.of("n1", "n2"),
                    "2026-01-01T00:00:00Z", List.of(new StatusReport.DatabaseStatus("shop", "n1", true, "UP",
                    "2026-01-01T00:00:01Z", null, false, 0.0012)));
        }

        @Override
        public List<RecentKill> recentKills(int max) {
            return kills;
        }

        @Override
        public ReloadResult reload() {
            return reloads.incrementAndGet() == 1 ? new ReloadResult(true, List.of("shop: new rules"))
                    : new ReloadResult(false, List.of("query-sniper.node-id changed: a restart is needed"));
        }
    };

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String start(SSLContext tls) {
        server = new SniperHttpServer(new InetSocketAddress("127.0.0.1", FreePort.next()), tls, token::get, fake);
        server.start();
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + server.port();
    }

    private static HttpResponse<String> send(HttpClient c, String method, String url, String bearer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody());
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void probesMetricsStatusAndPage() throws Exception {
        String base = start(null);
        HttpClient c = HttpClient.newHttpClient();
        assertThat(send(c, "GET", base + "/livez", null).statusCode()).isEqualTo(200);
        assertThat(send(c, "GET", base + "/healthz", null).body()).isEqualTo("ok\n");
        assertThat(send(c, "GET", base + "/readyz", null).statusCode()).isEqualTo(200);
        readiness = new Readiness(false, List.of("coordination is down (ZooKeeper connection LOST)"));
        HttpResponse<String> notReady = send(c, "GET", base + "/readyz", null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(notReady.body()).contains("ZooKeeper connection LOST");

        assertThat(send(c, "GET", base + "/metrics", null).body()).contains("query_sniper_polls_total");
        HttpResponse<String> om = c.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(om.headers().firstValue("Content-Type")).hasValue("application/openmetrics-text");

        HttpResponse<String> status = send(c, "GET", base + "/status", null);
        assertThat(status.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(status.body()).contains("\"node\" : \"n1\"").contains("\"ownedHere\" : true")
                .contains("\"pollLatencySeconds\" : 0.0012");

        assertThat(send(c, "GET", base + "/nope", null).statusCode()).isEqualTo(404);
        assertThat(send(c, "POST", base + "/metrics", null).statusCode()).isEqualTo(405);
        assertThat(send(c, "GET", base + "/-/reload", null).statusCode()).isEqualTo(405);
        HttpResponse<String> applied = send(c, "POST", base + "/-/reload", null);
        assertThat(applied.statusCode()).isEqualTo(200);
        assertThat(applied.body()).contains("\"applied\" : true");
        HttpResponse<String> refused = send(c, "POST", base + "/-/reload", null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("restart is needed");
    }

    @Test
    void thePageEscapesWhatItShowsAndLoadsNothingFromElsewhere() throws Exception {
        kills = List.of(new RecentKill("2026-01-01T00:00:02Z", "n1", "shop", "slow", "KILL_QUERY", "KILLED", 1200,
                "select <script>alert(?)</script> from t", "d1g3st"));
        String base = start(null);
        HttpResponse<String> page = send(HttpClient.newHttpClient(), "GET", base + "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(v -> v.contains("default-src 'none'"));
        assertThat(page.body()).contains("http-equiv=\"refresh\"").contains("shop").contains("KILLED")
                .contains("select &lt;script&gt;alert(?)&lt;/script&gt; from t").doesNotContain("<script")
                .doesNotContain("http://").doesNotContain("https://").doesNotContain("src=");
    }

    @Test
    void aTokenGuardsEverythingButTheProbes() throws Exception {
        token.set(TOKEN);
        String base = start(null);
        HttpClient c = HttpClient.newHttpClient();
        for (String probe : List.of("/livez", "/healthz", "/readyz")) {
            assertThat(send(c, "GET", base + probe, null).statusCode()).as(probe).isEqualTo(200);
        }
        for (String path : List.of("/metrics", "/status", "/")) {
            HttpResponse<String> denied = send(c, "GET", base + path, null);
            assertThat(denied.statusCode()).as(path).isEqualTo(401);
            assertThat(denied.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> v.startsWith("Bearer"));
            assertThat(send(c, "GET", base + path, "wrong-" + TOKEN).statusCode()).as(path).isEqualTo(401);
            assertThat(send(c, "GET", base + path, TOKEN).statusCode()).as(path).isEqualTo(200);
        }
        assertThat(send(c, "POST", base + "/-/reload", null).statusCode()).isEqualTo(401);
        assertThat(reloads.get()).as("a refused request reloads nothing").isZero();
        assertThat(send(c, "POST", base + "/-/reload", TOKEN).statusCode()).isEqualTo(200);
        token.set(null); // a reload took the token away
        assertThat(send(c, "GET", base + "/metrics", null).statusCode()).isEqualTo(200);
    }

    @Test
    void servesHttpsFromPemFiles() throws Exception {
        TestCertificates certs = TestCertificates.generate(dir, "127.0.0.1");
        String base = start(PemTls.serverContext(certs.serverCert(), certs.serverKey()));
        HttpClient c = HttpClient.newBuilder().sslContext(trusting(certs.caCert())).build();
        HttpResponse<String> r = send(c, "GET", base + "/livez", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.uri().getScheme()).isEqualTo("https");
    }

    @Test
    void aTakenPortIsNamedWithItsKey() throws Exception {
        String base = start(null);
        int port = server.port();
        SniperHttpServer second = new SniperHttpServer(new InetSocketAddress("127.0.0.1", port), null, () -> null, fake);
        try {
            second.start();
            org.assertj.core.api.Assertions.fail("a second server bound the same port");
        } catch (HttpServerException e) {
            assertThat(e.getMessage()).startsWith("http.listen 127.0.0.1:" + port).contains("http.listen = off");
        } finally {
            second.close();
        }
        assertThat(send(HttpClient.newHttpClient(), "GET", base + "/livez", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aKeyThatIsNotPkcs8IsNamed() throws Exception {
        TestCertificates certs = TestCertificates.generate(dir, "127.0.0.1");
        try {
            PemTls.serverContext(certs.clientCert(), certs.clientKey()); // PKCS#1
            org.assertj.core.api.Assertions.fail("a PKCS#1 key was taken");
        } catch (HttpServerException e) {
            assertThat(e.getMessage()).contains("http.tls.key").contains("PKCS#8").doesNotContain("BEGIN RSA");
        }
    }

    private static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
