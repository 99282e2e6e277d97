package io.querysniper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.querysniper.core.target.Credentials;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The credentials file: {@code <entry> { user, password | password-file }}. Every value that could
 * be a secret is shown as {@code ****} in problems; password files are read here, once.
 */
final class CredentialsFile {
    static final String DEFAULT_ENTRY = "default";
    static final String ZOOKEEPER_ENTRY = "zookeeper";
    /** {@code http { token }}: the bearer token of the HTTP server, not a login. */
    static final String HTTP_ENTRY = "http";
    /** Shortest token accepted: a bearer token is only as good as it is hard to guess. */
    static final int MIN_TOKEN_CHARS = 16;
    private static final Set<String> ENTRY_KEYS = Set.of("user", "password", "password-file");

    /** Valid entries by name. */
    final Map<String, Credentials> entries = new LinkedHashMap<>();
    /** Every entry written in the file, valid or not (a broken entry is not also "missing"). */
    final Set<String> written;
    final String file;
    /** {@code http.token}, or null. */
    String httpToken;

    private CredentialsFile(Set<String> written, String file) {
        this.written = written;
        this.file = file;
    }

    static CredentialsFile read(Config config, Path credentialsFile, Problems problems, SecretFiles secrets) {
        String file = credentialsFile.toString();
        CredentialsFile c = new CredentialsFile(config.root().keySet(), file);
        Path baseDir = credentialsFile.toAbsolutePath().getParent();
        for (String name : config.root().keySet()) {
            if (name.equals(AlertReader.CREDENTIALS_ENTRY)) {
                continue; // the alert sinks' secrets: read by AlertReader
            }
            ConfigValue v = config.root().get(name);
            String key = ConfigUtil.joinPath(name);
            if (!(v instanceof ConfigObject obj)) {
                problems.add(v.origin(), file, key, "****", HTTP_ENTRY.equals(name) ? "must be an object { token }"
                        : "must be an object { user, password } or { user, password-file }");
                continue;
            }
            if (HTTP_ENTRY.equals(name)) {
                c.httpToken = readHttpToken(new Section(obj.toConfig(), key, obj.origin(), file, problems, r -> true,
                        Set.of("token")), obj);
                continue;
            }
            Section s = new Section(obj.toConfig(), key, obj.origin(), file, problems, r -> true, Set.of("password"));
            Credentials cred = readEntry(s, obj, baseDir, secrets);
            if (cred != null) {
                c.entries.put(name, cred);
            }
        }
        secrets.check(credentialsFile, "credentials file", "passwords");
        return c;
    }

    private static Credentials readEntry(Section s, ConfigObject raw, Path baseDir, SecretFiles secrets) {
        KeyCheck.checkFixed(raw, ENTRY_KEYS, s);
        int before = s.problems().count();
        String user = s.requiredString("user");
        String password = null;
        if (s.has("password") && s.has("password-file")) {
            s.problem("password-file", "set either password or password-file, not both");
        } else if (s.has("password")) {
            password = s.string("password");
        } else if (s.has("password-file")) {
            Path p = s.path("password-file", baseDir);
            if (p != null) {
                password = readPasswordFile(s, p, secrets);
            }
        } else {
            s.problem("", "needs password or password-file");
        }
        return s.problems().count() == before && user != null && password != null ? new Credentials(user, password) : null;
    }

    private static String readHttpToken(Section s, ConfigObject raw) {
        KeyCheck.checkFixed(raw, Set.of("token"), s);
        String token = s.requiredString("token");
        if (token == null) {
            return null;
        }
        if (token.length() < MIN_TOKEN_CHARS || token.chars().anyMatch(ch -> ch <= ' ' || ch > '~')) {
            s.problem("token", "****", "must be at least " + MIN_TOKEN_CHARS
                    + " printable ASCII characters without spaces (e.g. openssl rand -hex 32)");
            return null;
        }
        return token;
    }

    private static String readPasswordFile(Section s, Path p, SecretFiles secrets) {
        String why = Tls.unreadableReason(p);
        if (why != null) {
            s.problem("password-file", "cannot read file: " + why);
            return null;
        }
        try {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            secrets.check(p, "password file (" + s.key("password-file") + ")", "a password");
            // Secret mounts and `echo pw > file` leave one trailing newline: it is not part of the password.
            return text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                    : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        } catch (IOException e) {
            s.problem("password-file", "cannot read file: " + e.getClass().getSimpleName() + " (" + p + ")");
            return null;
        }
    }
}
