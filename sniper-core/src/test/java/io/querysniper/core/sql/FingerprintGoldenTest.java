package io.querysniper.core.sql;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The golden cases in src/test/resources/sql/fingerprint-golden.txt, one per token kind and rule. */
class FingerprintGoldenTest {

    static List<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        String sql = null;
        for (String line : read().split("\n", -1)) {
            if (line.startsWith("sql:")) {
                sql = unescape(line.substring(4).stripLeading().isEmpty() ? "" : line.substring(5));
            } else if (line.startsWith("fp:")) {
                cases.add(Arguments.of(sql, line.length() <= 5 ? "" : line.substring(5)));
                sql = null;
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("cases")
    void fingerprint(String sql, String expected) {
        assertThat(Fingerprint.textOf(sql)).isEqualTo(expected);
        assertThat(Fingerprint.of(sql).fingerprint()).isEqualTo(expected);
    }

    static String unescape(String s) {
        return s.replace("{n}", "\n").replace("{t}", "\t").replace("{0}", "\0").replace("{r}", "\r");
    }

    private static String read() throws IOException {
        try (InputStream in = FingerprintGoldenTest.class.getResourceAsStream("/sql/fingerprint-golden.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
