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
    private static final Set<String> ENTRY_KEYS = Set.of("user", "password", "password-file");

    /** Valid entries by name. */
    final Map<String, Credentials> entries = new LinkedHashMap<>();
    /** Every entry written in the file, valid or not (a broken entry is not also "missing"). */
    final Set<String> written;
    final String file;

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
                problems.add(v.origin(), file, key, "****", "must be an object { user, password } or { user, password-file }");
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
