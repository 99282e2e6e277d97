package io.querysniper.alerts;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** Plays Slack, PagerDuty or a webhook receiver: the JDK's HTTP server, answers scripted in order. */
final class FakeEndpoint implements AutoCloseable {
    /** One scripted answer; {@code hangMillis} > 0 holds the request that long before answering. */
    record Answer(int status, String body, Map<String, String> headers, long hangMillis) {
        static Answer of(int status, String body) {
            return new Answer(status, body, Map.of(), 0);
        }
    }

    /** One request as received. */
    record Request(long receivedNanos, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Answer fallback;

    FakeEndpoint(Answer fallback) {
        this.fallback = fallback;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    FakeEndpoint then(Answer a) {
        script.add(a);
        return this;
    }

    void answerFromNowOn(Answer a) {
        fallback = a;
    }

    /** A URL with a secret in its path, as Slack's and webhooks' URLs have. */
    URI url(String secretPath) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + secretPath);
    }

    List<Request> requests() {
        return new ArrayList<>(requests);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(System.nanoTime(), Map.copyOf(x.getRequestHeaders()), body));
            Answer a = script.poll();
            if (a == null) {
                a = fallback;
            }
            if (a.hangMillis() > 0) {
                try {
                    released.await(a.hangMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            a.headers().forEach((k, v) -> x.getResponseHeaders().add(k, v));
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                x.getResponseBody().write(out);
            }
        } catch (IOException e) {
            // the client gave up (a timeout under test): nothing to answer
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}
