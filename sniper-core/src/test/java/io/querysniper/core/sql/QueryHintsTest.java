package io.querysniper.core.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class QueryHintsTest {
    private static final Set<String> ALLOW = Set.of("application", "route", "controller");

    private static QueryHints parse(String sql) {
        return QueryHints.parse(sql, ALLOW);
    }

    static Stream<Arguments> timeouts() {
        return Stream.of(
                Arguments.of("/* query-sniper: timeout=5s */ select 1", Duration.ofSeconds(5)),
                Arguments.of("select 1 /* query-sniper: timeout=250ms */", Duration.ofMillis(250)),
                Arguments.of("/*query-sniper:timeout=2m*/select 1", Duration.ofMinutes(2)),
                Arguments.of("/* QUERY-SNIPER: TIMEOUT=3S */ select 1", Duration.ofSeconds(3)),
                Arguments.of("select 1 -- query-sniper: timeout=7s", Duration.ofSeconds(7)),
                Arguments.of("select 1 # query-sniper: timeout=8s\n", Duration.ofSeconds(8)),
                Arguments.of("select /*+ MAX_EXECUTION_TIME(1500) */ * from t", Duration.ofMillis(1500)),
                Arguments.of("select /*+ BKA(t) max_execution_time ( 900 ) */ * from t", Duration.ofMillis(900)),
                Arguments.of("/* query-sniper: timeout=5s */ select /*+ MAX_EXECUTION_TIME(1000) */ 1", Duration.ofMillis(1000)),
                Arguments.of("/* query-sniper: timeout=1s */ select /*+ MAX_EXECUTION_TIME(9000) */ 1", Duration.ofSeconds(1)),
                Arguments.of("/* query-sniper: timeout=5 */ select 1", null),
                Arguments.of("/* query-sniper: timeout=0s */ select 1", null),
                Arguments.of("/* query-sniper: timeout=5h */ select 1", null),
                Arguments.of("select /*+ MAX_EXECUTION_TIME(0) */ 1", null),
                Arguments.of("select /* MAX_EXECUTION_TIME(10) */ 1", null),
                Arguments.of("select '/* query-sniper: timeout=1s */' from t", null),
                Arguments.of("select \"it's /* query-sniper: timeout=1s */\" from t", null),
                Arguments.of("select 'a\\'b /* query-sniper: timeout=1s */' from t", null),
                Arguments.of("select `weird /* query-sniper: timeout=1s */` from t", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("timeouts")
    void timeouts(String sql, Duration expected) {
        assertThat(parse(sql).timeout()).isEqualTo(expected);
    }

    @Test
    void skipAndTimeoutTogether() {
        QueryHints h = parse("select 1 /* query-sniper: skip, timeout=250ms */");
        assertThat(h.skip()).isTrue();
        assertThat(h.timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(parse("select 1 /* query-sniper: skip */").skip()).isTrue();
        assertThat(parse("select 1 /* query-sniper skip */").skip()).isFalse();
        assertThat(parse("select 'query-sniper: skip'").skip()).isFalse();
    }

    @Test
    void nothingToSayIsNone() {
        assertThat(QueryHints.parse(null, ALLOW)).isSameAs(QueryHints.NONE);
        assertThat(parse("")).isSameAs(QueryHints.NONE);
        assertThat(parse("select * from orders where id = 5")).isSameAs(QueryHints.NONE);
        assertThat(parse("select 1 /* just a comment */")).isSameAs(QueryHints.NONE);
    }

    @Test
    void sqlcommenterTrailingTagsAreDecodedAndAllowListed() {
        QueryHints h = parse("SELECT * FROM orders /*application='shop%20web',route='%2Forders%2F%7Bid%7D',"
                + "db_driver='mysql-connector',traceparent='00-abc-def-01'*/;");
        assertThat(h.tags()).isEqualTo(Map.of("application", "shop web", "route", "/orders/{id}"));
    }

    @Test
    void sqlcommenterLeadingTagsWithEscapedQuoteAndUtf8() {
        QueryHints h = parse("/*controller='caf%C3%A9',application='it\\'s'*/ select 1");
        assertThat(h.tags()).isEqualTo(Map.of("controller", "café", "application", "it's"));
    }

    @Test
    void marginaliaTags() {
        QueryHints h = parse("/*application:Billing,controller:invoices,action:show*/ SELECT 1");
        assertThat(h.tags()).isEqualTo(Map.of("application", "Billing", "controller", "invoices"));
        assertThat(parse("select 1 /*application:Billing,controller:invoices*/").tags())
                .containsEntry("application", "Billing");
    }

    @Test
    void tagsOnlyFromLeadingOrTrailingComments() {
        assertThat(parse("select /*application:Foo*/ 1 from t").tags()).isEmpty();
        assertThat(parse("select 1 /*application='x'*/ from t").tags()).isEmpty();
        assertThat(QueryHints.parse("/*application:Foo*/ select 1", Set.of()).tags()).isEmpty();
    }

    @Test
    void tagNamesMatchTheAllowListCaseInsensitivelyAndValuesAreCappedAndCleaned() {
        String longValue = "x".repeat(500);
        QueryHints h = parse("select 1 /*Application='" + longValue + "',route='a%0Ab'*/");
        assertThat(h.tags().get("application")).hasSize(QueryHints.MAX_TAG_VALUE);
        assertThat(h.tags().get("route")).isEqualTo("a?b");
    }

    @Test
    void badEscapesStayAsTheyAre() {
        assertThat(parse("select 1 /*route='100%zz%2'*/").tags()).containsEntry("route", "100%zz%2");
    }

    @Test
    void longStatementsAreReadAtHeadAndTailOnly() {
        String middle = "x".repeat(5_000_000);
        String sql = "/* query-sniper: timeout=5s */ select '" + middle + " /* query-sniper: skip */ " + middle
                + "' from t /*application='big'*/";
        long start = System.nanoTime();
        QueryHints h = parse(sql);
        assertThat(h.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(h.skip()).isFalse();
        assertThat(h.tags()).containsEntry("application", "big");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void neverThrowsOnRandomInput() {
        String alphabet = "/*+-'\"`\\#;:=,% \nabq?query-sniper:timeout=5s skip MAX_EXECUTION_TIME(12)application='";
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            StringBuilder b = new StringBuilder();
            int n = random.nextInt(120);
            for (int k = 0; k < n; k++) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String sql = b.toString();
            assertThatCode(() -> parse(sql)).as(sql).doesNotThrowAnyException();
        }
    }

    @Test
    void unterminatedCommentsAndStrings() {
        assertThat(parse("select 1 /* query-sniper: skip").skip()).isTrue();
        assertThat(parse("select 'abc /* query-sniper: skip */").skip()).isFalse();
    }
}
