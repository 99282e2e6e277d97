package io.querysniper.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The daemon's HTTP server: the JDK's own, one virtual thread per request.
 * <ul>
 *   <li>{@code GET /livez}, {@code /healthz}: the process serves (200);</li>
 *   <li>{@code GET /readyz}: 200 when {@link Endpoints#readiness()} says ready, else 503 with the reasons;</li>
 *   <li>{@code GET /metrics}: Prometheus text, or OpenMetrics when the scraper asks for it;</li>
 *   <li>{@code GET /status}: JSON; {@code GET /}: the status page for a person;</li>
 *   <li>{@code POST /-/reload}: reload the config, 200 when applied, 400 with the reasons when refused.</li>
 * </ul>
 * When a token is set every request but the three probes must carry {@code Authorization: Bearer <token>}:
 * probes say nothing but up or not, and a kubelet should not need a secret to ask.
 * Lifecycle: {@link #start()} once; {@link #close()} idempotent.
 */
public final class SniperHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SniperHttpServer.class);
    /** Kills shown on the page. */
    static final int PAGE_KILLS = 25;

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final InetSocketAddress address;
    private final SSLContext tls;
    private final Supplier<String> token;
    private final Endpoints endpoints;
    private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
    private volatile HttpServer server;
    private volatile ExecutorService executor;

    enum State { LATENT, STARTED, CLOSED }

    /**
     * @param tls   null for plain HTTP
     * @param token the bearer token now, or null when none is set (read per request: a reload may change it)
     */
    public SniperHttpServer(InetSocketAddress address, SSLContext tls, Supplier<String> token, Endpoints endpoints) {
        this.address = Objects.requireNonNull(address, "address");
        this.tls = tls;
        this.token = Objects.requireNonNull(token, "token");
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    /**
     * Binds and serves.
     *
     * @throws HttpServerException when the address cannot be bound (taken, not local)
     */
    public void start() {
        if (!state.compareAndSet(State.LATENT, State.STARTED)) {
            throw new IllegalStateException("HTTP server cannot start: it is " + state.get());
        }
        try {
            HttpServer s;
            if (tls != null) {
                HttpsServer https = HttpsServer.create(address, 64);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                s = https;
            } else {
                s = HttpServer.create(address, 64);
            }
            executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sniper-http-", 0)
                    .uncaughtExceptionHandler((t, e) -> log.error("HTTP request thread {} died", t.getName(), e))
                    .factory());
            s.setExecutor(executor);
            s.createContext("/", this::handle);
            s.start();
            server = s;
            log.info("HTTP server listening on {}://{}:{} ({})", tls == null ? "http" : "https",
                    address.getHostString(), s.getAddress().getPort(),
                    token.get() == null ? "no token" : "bearer token required but for /livez, /healthz, /readyz");
        } catch (BindException e) {
            close();
            throw new HttpServerException("http.listen " + address.getHostString() + ":" + address.getPort()
                    + ": cannot listen there (" + e.getMessage() + "); choose another port or set http.listen = off", e);
        } catch (IOException e) {
            close();
            throw new HttpServerException("http.listen " + address.getHostString() + ":" + address.getPort()
                    + ": " + e, e);
        }
    }

    /** The bound port (useful when 0 was asked for). */
    public int port() {
        HttpServer s = server;
        if (s == null) {
            throw new IllegalStateException("HTTP server is not started");
        }
        return s.getAddress().getPort();
    }

    @Override
    public void close() {
        if (state.getAndSet(State.CLOSED) == State.CLOSED) {
            return;
        }
        HttpServer s = server;
        if (s != null) {
            s.stop(0);
        }
        ExecutorService e = executor;
        if (e != null) {
            e.shutdownNow();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            Route route = Route.of(path);
            if (route == null) {
                send(ex, 404, "text/plain; charset=utf-8", "not found\n");
                return;
            }
            if (!route.method.equals(method) && !("HEAD".equals(method) && "GET".equals(route.method))) {
                ex.getResponseHeaders().set("Allow", route.method);
                send(ex, 405, "text/plain; charset=utf-8", "use " + route.method + "\n");
                return;
            }
            if (!route.probe && !BearerToken.accepts(token.get(), ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"query-sniper\"");
                send(ex, 401, "text/plain; charset=utf-8", "a bearer token is required\n");
                return;
            }
            serve(route, ex);
        } catch (RuntimeException e) {
            // Never a stack trace to the client: it could name files or hosts.
            log.warn("HTTP {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
            try {
                send(ex, 500, "text/plain; charset=utf-8", "internal error (see the daemon's log)\n");
            } catch (IOException | RuntimeException ignored) {
                // the response may have begun already
            }
        }
    }

    private void serve(Route route, HttpExchange ex) throws IOException {
        switch (route) {
            case LIVEZ, HEALTHZ -> send(ex, 200, "text/plain; charset=utf-8", "ok\n");
            case READYZ -> {
                Readiness r = endpoints.readiness();
                send(ex, r.ready() ? 200 : 503, "text/plain; charset=utf-8",
                        r.ready() ? "ready\n" : "not ready: " + String.join("; ", r.reasons()) + "\n");
            }
            case METRICS -> {
                Endpoints.Metrics m = endpoints.metrics(ex.getRequestHeaders().getFirst("Accept"));
                send(ex, 200, m.contentType(), m.body());
            }
            case STATUS -> send(ex, 200, "application/json", JSON.writeValueAsString(endpoints.status()));
            case PAGE -> {
                ex.getResponseHeaders().set("Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
                send(ex, 200, "text/html; charset=utf-8",
                        StatusPage.render(endpoints.status(), endpoints.recentKills(PAGE_KILLS)));
            }
            case RELOAD -> {
                ReloadResult r = endpoints.reload();
                send(ex, r.applied() ? 200 : 400, "application/json", JSON.writeValueAsString(r));
            }
        }
    }

    private static void send(HttpExchange ex, int code, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equals(ex.getRequestMethod());
        ex.sendResponseHeaders(code, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
        if (!head && bytes.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The paths served, with their method and whether they are an unauthenticated probe. */
    private enum Route {
        LIVEZ("/livez", "GET", true), HEALTHZ("/healthz", "GET", true), READYZ("/readyz", "GET", true),
        METRICS("/metrics", "GET", false), STATUS("/status", "GET", false), PAGE("/", "GET", false),
        RELOAD("/-/reload", "POST", false);

        final String path;
        final String method;
        final boolean probe;

        Route(String path, String method, boolean probe) {
            this.path = path;
            this.method = method;
            this.probe = probe;
        }

        static Route of(String path) {
            for (Route r : values()) {
                if (r.path.equals(path)) {
                    return r;
                }
            }
            return null;
        }
    }
}
