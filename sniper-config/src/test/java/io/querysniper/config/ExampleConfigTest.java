package io.querysniper.config;

import io.querysniper.core.rules.Rule;
import io.querysniper.core.target.TlsMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The example files shipped for the README must stay valid as the schema grows. */
class ExampleConfigTest {
    @TempDir
    Path dir;

    @Test
    void shippedExampleLoads() throws IOException {
        Path config = ConfigFiles.write(dir.resolve("query-sniper.conf"), resource("example/query-sniper.conf"));
        Path creds = ConfigFiles.writeSecret(dir.resolve("credentials.conf"), resource("example/credentials.conf"));
        ConfigFiles.write(dir.resolve("certs/ca.pem"), "PEM");
        ConfigFiles.writeSecret(dir.resolve("secrets/orders-password"), "pw\n");

        LoadedSettings loaded = SettingsLoader.load(config, creds);

        assertThat(loaded.settings().databases()).containsOnlyKeys("orders-primary", "orders-replica");
        assertThat(loaded.settings().databases().get("orders-primary").watch().rules()).extracting(Rule::name)
                .containsExactly("long-reports", "idle-in-trx", "pile-up", "batch", "lag-guard");
        assertThat(loaded.settings().databases().get("orders-replica").watch().rules()).extracting(Rule::name)
                .containsExactly("runaway-select");
        assertThat(loaded.credentials().get("orders-primary").password()).isEqualTo("pw");
        assertThat(loaded.warnings()).isEmpty();
        // The recommended fleet-wide setting: every database verifies the server's certificate and name.
        assertThat(loaded.settings().databases().values()).allSatisfy(db -> {
            assertThat(db.target().tls().mode()).isEqualTo(TlsMode.VERIFY_IDENTITY);
            assertThat(db.target().tls().ca()).isEqualTo(dir.resolve("certs/ca.pem"));
        });
        assertThat(loaded.settings().effectiveConfigMasked()).doesNotContain("change-me");
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ExampleConfigTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
