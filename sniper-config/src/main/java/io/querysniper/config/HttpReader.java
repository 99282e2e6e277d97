package io.querysniper.config;

import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code query-sniper.http}: the listen address, its TLS files, and that a token guards it beyond loopback. */
final class HttpReader {
    /** host:port, where host is a name, an IPv4 literal or an IPv6 literal in brackets. */
    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9.-]+)):([0-9]{1,5})");

    private HttpReader() {
    }

    /**
     * @param credentials null when the credentials file is not read (read-only commands): the token
     *                    rule is then not checked
     * @return the settings, {@link HttpSettings#DISABLED} for {@code listen = off}, or null when a
     *         value is bad (already reported)
     */
    static HttpSettings read(Section s, Path configDir, CredentialsFile credentials) {
        ConfigValue v = s.value("listen");
        Section tls = s.child("tls");
        Path cert = Tls.readableFile(tls, "cert", configDir);
        Path key = Tls.readableFile(tls, "key", configDir);
        if (tls.has("cert") != tls.has("key")) {
            tls.problem(tls.has("cert") ? "cert" : "key", "HTTPS needs both http.tls.cert and http.tls.key");
        }
        // HOCON reads an unquoted off as the boolean false.
        if (v == null || (v.valueType() == ConfigValueType.BOOLEAN && !((Boolean) v.unwrapped()))
                || (v.valueType() == ConfigValueType.STRING && "off".equals(v.unwrapped()))) {
            return HttpSettings.DISABLED;
        }
        String listen = s.string("listen");
        if (listen == null) {
            return null;
        }
        Matcher m = LISTEN.matcher(listen.trim());
        if (!m.matches()) {
            s.problem("listen", "must be host:port (e.g. 127.0.0.1:" + HttpSettings.DEFAULT_PORT
                    + ", [::1]:" + HttpSettings.DEFAULT_PORT + ", 0.0.0.0:" + HttpSettings.DEFAULT_PORT + ") or off");
            return null;
        }
        String host = m.group(1) != null ? m.group(1) : m.group(2);
        int port = Integer.parseInt(m.group(3));
        if (port < 1 || port > 65535) {
            s.problem("listen", "port must be between 1 and 65535");
            return null;
        }
        HttpSettings http = new HttpSettings(host, port, cert, key);
        if (!http.loopback() && credentials != null && credentials.httpToken == null) {
            s.problem("listen", "listens beyond loopback: set a bearer token, http { token = \"...\" }, in "
                    + credentials.file + " (or listen on 127.0.0.1)");
        }
        return http;
    }
}
