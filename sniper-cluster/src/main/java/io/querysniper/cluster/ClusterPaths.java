package io.querysniper.cluster;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Znode layout under the namespace, shared by the writer ({@link ClusterNode}) and the reader
 * ({@link ClusterStatusReader}). Database names are escaped so any name is one path segment.
 */
final class ClusterPaths {
    static final String NODES = "/nodes";
    static final String LATCHES = "/latches";
    static final String OWNERS = "/owners";

    private ClusterPaths() {
    }

    static String node(String nodeId) {
        return NODES + "/" + encode(nodeId);
    }

    static String latch(String db) {
        return LATCHES + "/" + encode(db);
    }

    static String owner(String db) {
        return OWNERS + "/" + encode(db);
    }

    /** Keeps [A-Za-z0-9_-]; every other UTF-8 byte becomes %HH (so "." and ".." are safe too). */
    static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    static String decode(String segment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length()) {
                out.write(Integer.parseInt(segment.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
