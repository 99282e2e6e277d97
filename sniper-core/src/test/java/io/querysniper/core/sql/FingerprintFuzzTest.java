package io.querysniper.core.sql;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Jazzer: the fingerprinter on arbitrary text. It never throws (called below the {@link Fingerprint#of} safety net,
 * so a bug shows as a finding instead of a silent "?"), and no literal of the input survives: every string, number,
 * hex or bit literal the lexer finds (8 characters of letters and digits or more) is absent from the fingerprint
 * unless the same text also stands outside every literal. Regression inputs: {@code FingerprintFuzzTestInputs/}.
 * Time linear in the input: Jazzer's per-input timeout in fuzzing mode ({@code bench/fuzz/run}).
 */
class FingerprintFuzzTest {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9]{8,}");

    @FuzzTest(maxDuration = "60s")
    void noLiteralSurvivesAndNothingThrows(FuzzedDataProvider data) {
        boolean backslashEscapes = data.consumeBoolean();
        String sql = data.consumeRemainingAsString();
        String fingerprint = Fingerprinter.render(sql, backslashEscapes);
        assertThat(Fingerprint.digestOf(fingerprint)).hasSize(32);

        StringBuilder outside = new StringBuilder(sql);
        List<String> literals = new ArrayList<>();
        SqlLexer lexer = new SqlLexer(sql, backslashEscapes);
        for (SqlLexer.Kind k = lexer.next(); k != SqlLexer.Kind.END; k = lexer.next()) {
            if (k == SqlLexer.Kind.STRING || k == SqlLexer.Kind.NUMBER || k == SqlLexer.Kind.HEX || k == SqlLexer.Kind.BIT) {
                var m = PLAIN.matcher(sql.substring(lexer.start(), lexer.end()));
                while (m.find()) {
                    literals.add(m.group());
                }
                for (int i = lexer.start(); i < lexer.end(); i++) {
                    outside.setCharAt(i, ' ');
                }
            }
        }
        String rest = outside.toString();
        for (String literal : literals) {
            if (!rest.contains(literal) && !rest.toLowerCase().contains(literal.toLowerCase())) {
                assertThat(fingerprint).as("literal %s of %s", literal, sql).doesNotContainIgnoringCase(literal);
            }
        }
    }
}
