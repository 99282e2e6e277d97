package io.querysniper.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer: the config loader on arbitrary HOCON (config and credentials file). It loads or throws a
 * {@link ConfigException}; every problem names its file, and its line unless it is about a key written nowhere
 * (or the HOCON library failed to resolve the file's substitutions: a crash input of this test, whose message
 * dumped the whole file, credentials included, before).
 * No other exception escapes, and no problem shows the password. Regression inputs:
 * {@code ConfigLoaderFuzzTestInputs/}.
 */
class ConfigLoaderFuzzTest {
    private static final String PASSWORD = "fuzz-Pa55word-never-shown";
    private static final Path DIR = tempDir();
    private static final Path CONFIG = DIR.resolve("query-sniper.conf");
    private static final Path CREDENTIALS = DIR.resolve("credentials.conf");

    @FuzzTest(maxDuration = "60s")
    void loadsOrReportsEveryProblemWithFileAndLine(FuzzedDataProvider data) throws IOException {
        boolean ownCredentials = data.consumeBoolean();
        String credentials = ownCredentials ? data.consumeString(200)
                : "default { user = u, password = \"" + PASSWORD + "\" }\n";
        String config = data.consumeRemainingAsString();
        Files.writeString(CONFIG, config);
        Files.writeString(CREDENTIALS, credentials);
        Files.setPosixFilePermissions(CREDENTIALS, PosixFilePermissions.fromString("rw-------"));
        try {
            SettingsLoader.load(CONFIG, CREDENTIALS);
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty();
            for (ConfigProblem p : e.problems()) {
                assertThat(p.file()).as("%s", p).isIn(CONFIG.toString(), CREDENTIALS.toString(), "reference.conf");
                // A problem has a line, or it is about a key that is not written anywhere (then there is no line).
                // (or the HOCON library itself gave up on resolving the file, which it says without a line).
                assertThat(p.line() > 0 || (p.key() != null && p.value() == null)
                        || p.message().equals(HoconFiles.UNRESOLVABLE)).as("line of %s", p).isTrue();
            }
            assertThat(e.getMessage()).doesNotContain(PASSWORD);
        }
    }

    private static Path tempDir() {
        try {
            Path d = Files.createTempDirectory("qs-config-fuzz-");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
