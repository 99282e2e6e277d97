package io.querysniper.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Writes a config and a credentials file into a temporary folder and loads them. */
final class ConfigFiles {
    static final String SECRET = "s3cret-Pa55word";
    static final String CREDENTIALS = "default { user = \"sniper\", password = \"" + SECRET + "\" }\n";

    final Path dir;
    final Path config;
    final Path credentials;

    ConfigFiles(Path dir) {
        this.dir = dir;
        this.config = dir.resolve("query-sniper.conf");
        this.credentials = dir.resolve("credentials.conf");
    }

    /** One database "orders" on 127.0.0.1 with {@code body} inside its object (body starts on line 3). */
    static String orders(String body) {
        return "query-sniper.databases {\n  orders {\n" + body + "\n    host = \"127.0.0.1\"\n  }\n}\n";
    }

    LoadedSettings load(String configText) {
        return load(configText, CREDENTIALS);
    }

    LoadedSettings load(String configText, String credentialsText) {
        write(config, configText);
        writeSecret(credentials, credentialsText);
        return SettingsLoader.load(config, credentials);
    }

    ConfigException fail(String configText) {
        return fail(configText, CREDENTIALS);
    }

    ConfigException fail(String configText, String credentialsText) {
        write(config, configText);
        writeSecret(credentials, credentialsText);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SettingsLoader.load(config, credentials));
        assertThat(e).as("expected the config to be rejected").isNotNull();
        assertThat(e.getMessage()).doesNotContain(SECRET);
        return e;
    }

    /** The one problem reported for {@code key}. */
    static ConfigProblem problem(ConfigException e, String key) {
        var found = e.problems().stream().filter(p -> java.util.Objects.equals(key, p.key())).toList();
        assertThat(found).as("problems for %s in:%n%s", key, e.getMessage()).hasSize(1);
        return found.get(0);
    }

    static Path write(Path file, String text) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path writeSecret(Path file, String text) {
        write(file, text);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }
}
