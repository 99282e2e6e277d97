package io.querysniper.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code query-sniper.http} and the credentials file's {@code http { token }}. */
class HttpConfigTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    private static final String WITH_TOKEN = ConfigFiles.CREDENTIALS + "http { token = \"" + TOKEN + "\" }\n";

    @TempDir
    Path dir;

    private ConfigFiles files() {
        return new ConfigFiles(dir);
    }

    private static String withHttp(String http) {
        return ConfigFiles.orders("") + "query-sniper.http {\n" + http + "\n}\n";
    }

    @Test
    void loopbackOnItsOwnPortByDefaultWithoutToken() {
        LoadedSettings s = files().load(ConfigFiles.orders(""));
        HttpSettings h = s.settings().http();
        assertThat(h.listen()).isEqualTo("127.0.0.1:" + HttpSettings.DEFAULT_PORT);
        assertThat(h.loopback()).isTrue();
        assertThat(h.tls()).isFalse();
        assertThat(HttpSettings.DEFAULT_PORT).isNotIn(9090, 9091, 9093, 9100, 9104);
        assertThat(s.httpToken()).isNull();
    }

    @Test
    void offDisablesIt() {
        assertThat(files().load(withHttp("listen = off")).settings().http().enabled()).isFalse();
        assertThat(files().load(withHttp("listen = \"off\"")).settings().http().enabled()).isFalse();
    }

    @Test
    void beyondLoopbackNeedsAToken() {
        ConfigException e = files().fail(withHttp("listen = \"0.0.0.0:9742\""));
        ConfigProblem p = ConfigFiles.problem(e, "query-sniper.http.listen");
        assertThat(p.line()).as("the line of listen").isEqualTo(8);
        assertThat(p.file()).endsWith("query-sniper.conf");
        assertThat(p.message()).contains("http { token").contains("credentials.conf");

        LoadedSettings s = files().load(withHttp("listen = \"0.0.0.0:9742\""), WITH_TOKEN);
        assertThat(s.settings().http().loopback()).isFalse();
        assertThat(s.httpToken()).isEqualTo(TOKEN);
        assertThat(s.toString()).doesNotContain(TOKEN);
        assertThat(files().load(withHttp("listen = \"[::1]:9742\"")).settings().http().loopback()).isTrue();
        assertThat(files().load(withHttp("listen = \"localhost:9742\"")).settings().http().host()).isEqualTo("localhost");
    }

    @Test
    void badListenValuesAreNamed() {
        for (String bad : new String[] {"9742", "127.0.0.1:99999", "127.0.0.1:", "http://127.0.0.1:9742"}) {
            ConfigException e = files().fail(withHttp("listen = \"" + bad + "\""));
            assertThat(ConfigFiles.problem(e, "query-sniper.http.listen").value()).isEqualTo(bad);
        }
    }

    @Test
    void aWeakOrMisshapenTokenIsRejectedAndNeverShown() {
        ConfigException e = files().fail(ConfigFiles.orders(""), ConfigFiles.CREDENTIALS + "http { token = \"short\" }\n");
        ConfigProblem p = ConfigFiles.problem(e, "http.token");
        assertThat(p.value()).isEqualTo("****");
        assertThat(e.getMessage()).doesNotContain("short\"").contains("at least 16");
        ConfigException unknown = files().fail(ConfigFiles.orders(""),
                ConfigFiles.CREDENTIALS + "http { token = \"" + TOKEN + "\", user = x }\n");
        assertThat(unknown.getMessage()).contains("http.user");
    }

    @Test
    void tlsNeedsBothFiles() {
        ConfigFiles f = files();
        ConfigFiles.write(dir.resolve("cert.pem"), "x");
        ConfigException e = f.fail(withHttp("tls { cert = \"cert.pem\" }"));
        assertThat(ConfigFiles.problem(e, "query-sniper.http.tls.cert").message()).contains("both");
        ConfigException missing = f.fail(withHttp("tls { cert = \"cert.pem\", key = \"nope.pem\" }"));
        assertThat(ConfigFiles.problem(missing, "query-sniper.http.tls.key").message()).contains("no such file");
    }
}
