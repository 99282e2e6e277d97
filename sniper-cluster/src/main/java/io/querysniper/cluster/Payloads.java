package io.querysniper.cluster;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Znode payloads as {@link Properties} text: readable with {@code zkCli get}, no JSON library in
 * this module, and unknown keys are ignored so newer nodes can add fields.
 */
final class Payloads {
    private Payloads() {
    }

    static byte[] node(NodeInfo n) {
        Properties p = new Properties();
        p.setProperty("id", n.id());
        p.setProperty("host", n.host());
        p.setProperty("version", n.version());
        p.setProperty("configHash", n.configHash());
        if (n.startedAt() != null) {
            p.setProperty("startedAt", n.startedAt().toString());
        }
        if (n.sessionTimeout() != null) {
            p.setProperty("sessionTimeoutMs", Long.toString(n.sessionTimeout().toMillis()));
        }
        if (n.negotiatedSessionTimeout() != null) {
            p.setProperty("negotiatedSessionTimeoutMs", Long.toString(n.negotiatedSessionTimeout().toMillis()));
        }
        return write(p);
    }

    /**
     * A member's payload with the databases it has configured: every node plans ownership from the
     * lists all members announce, so nodes in the middle of a rolling config change agree on the plan.
     */
    static byte[] node(NodeInfo n, Collection<String> databases) {
        Properties p = read(node(n));
        p.setProperty("databases", String.join(",", databases.stream().sorted().map(ClusterPaths::encode).toList()));
        return write(p);
    }

    static NodeInfo node(byte[] data, String fallbackId) {
        Properties p = read(data);
        return new NodeInfo(p.getProperty("id", fallbackId), p.getProperty("host"), p.getProperty("version"),
                p.getProperty("configHash"), instant(p.getProperty("startedAt")), millis(p.getProperty("sessionTimeoutMs")),
                millis(p.getProperty("negotiatedSessionTimeoutMs")));
    }

    /** The databases a member announced, or null for a member that announces none (an older version). */
    static Set<String> databases(byte[] data) {
        String list = read(data).getProperty("databases");
        if (list == null) {
            return null;
        }
        Set<String> dbs = new TreeSet<>();
        for (String s : list.split(",")) {
            if (!s.isEmpty()) {
                dbs.add(ClusterPaths.decode(s));
            }
        }
        return dbs;
    }

    private static Duration millis(String s) {
        try {
            return s == null ? null : Duration.ofMillis(Long.parseLong(s));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static byte[] owner(OwnerInfo o) {
        Properties p = new Properties();
        p.setProperty("node", o.nodeId());
        p.setProperty("since", o.since().toString());
        return write(p);
    }

    static OwnerInfo owner(byte[] data) {
        Properties p = read(data);
        return new OwnerInfo(p.getProperty("node", "?"), instant(p.getProperty("since")));
    }

    private static Instant instant(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static byte[] write(Properties p) {
        StringBuilder out = new StringBuilder();
        // Sorted keys and no date comment: byte-stable payloads.
        p.stringPropertyNames().stream().sorted().forEach(k -> {
            StringWriter w = new StringWriter();
            Properties one = new Properties();
            one.setProperty(k, p.getProperty(k));
            try {
                one.store(w, null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            w.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> out.append(l).append('\n'));
        });
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Properties read(byte[] data) {
        Properties p = new Properties();
        if (data != null) {
            try {
                p.load(new StringReader(new String(data, StandardCharsets.UTF_8)));
            } catch (IOException | IllegalArgumentException e) {
                // A malformed payload reads as empty: callers fall back to defaults.
            }
        }
        return p;
    }
}
