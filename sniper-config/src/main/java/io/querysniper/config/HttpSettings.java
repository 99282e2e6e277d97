package io.querysniper.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * {@code query-sniper.http}: where the metrics, health and status server listens.
 *
 * @param host    the address to bind (a name or a literal, without brackets), or null when disabled
 * @param port    1-65535, or 0 when disabled
 * @param tlsCert PEM certificate chain, or null for plain HTTP
 * @param tlsKey  PEM private key (PKCS#8 or PKCS#1), or null for plain HTTP
 */
public record HttpSettings(String host, int port, Path tlsCert, Path tlsKey) {
    /** The port of the HTTP server when {@code http.listen} is left at its default. */
    public static final int DEFAULT_PORT = 9742;
    /** {@code listen = off}. */
    public static final HttpSettings DISABLED = new HttpSettings(null, 0, null, null);

    public boolean enabled() {
        return host != null;
    }

    public boolean tls() {
        return tlsCert != null;
    }

    /** True when the address is the loopback interface (127.0.0.0/8, ::1, localhost): reachable from this host only. */
    public boolean loopback() {
        return host != null && isLoopback(host);
    }

    /** The listen address as written in the config: {@code host:port}, IPv6 in brackets, or "off". */
    public String listen() {
        if (!enabled()) {
            return "off";
        }
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    static boolean isLoopback(String host) {
        if ("localhost".equalsIgnoreCase(host)) {
            return true;
        }
        // Literal addresses only: a name is not resolved here (it may resolve elsewhere later).
        if (!host.isEmpty() && (Character.digit(host.charAt(0), 16) >= 0 || host.indexOf(':') >= 0)
                && host.matches("[0-9a-fA-F.:]+")) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
        return false;
    }
}
