package io.querysniper.core.sql;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hint scanner at the ends of its ranges: a text that ends right after a quote, a dash pair or a marker, a
 * comment exactly as long as allowed, a statement exactly as long as the fully read size. An off-by-one there
 * reads past the text, and the scanner's safety net then silently drops every hint of the statement.
 */
class QueryHintsEdgesTest {
    private static final Set<String> ALLOW = Set.of("application", "route", "app_name", "db-host", "svc.name");
    /** A directive ahead of the edge case: it must survive whatever comes after it. */
    private static final String SKIP = "/* query-sniper: skip */ select 1 ";

    private static QueryHints parse(String sql) {
        return QueryHints.parse(sql, ALLOW);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            SKIP + "/*",                          // an empty unterminated comment at the very end
            SKIP + "/* x *",                      // a comment that ends in a lone '*'
            SKIP + "--",                          // a dash pair at the very end
            SKIP + "# query-sniper",              // the marker at the very end
            SKIP + "/*+ MAX_EXECUTION_TIME",      // a hint name at the very end
            SKIP + "/*+ MAX_EXECUTION_TIME(5",    // a hint value at the very end
            SKIP + "'abc",                        // an unterminated string
            SKIP + "'abc'",                       // a string closing at the very end
            SKIP + "`abc`"})
    void aHintBeforeATextThatEndsAbruptlyIsKept(String sql) {
        QueryHints h = parse(sql);
        assertThat(h.skip()).isTrue();
        assertThat(h.timeout()).isNull();
    }

    @Test
    void quotesEndWhereTheServerEndsThem() {
        assertThat(parse("select 'a' /* query-sniper: skip */").skip()).isTrue();
        assertThat(parse("select '' /* query-sniper: skip */").skip()).isTrue();
        assertThat(parse("select 'it''s' from t /* query-sniper: skip */").skip()).isTrue();
        // A backslash escapes in strings but not in backtick names.
        assertThat(parse("select `a\\` /* query-sniper: skip */").skip()).isTrue();
        assertThat(parse("select 'a\\' /* query-sniper: skip */'").skip()).isFalse();
    }

    @Test
    void aHashCommentStartsRightAfterTheHash() {
        assertThat(parse("select 1 #query-sniper: timeout=4s\n").timeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(parse("select 1 --\tquery-sniper: timeout=6s").timeout()).isEqualTo(Duration.ofSeconds(6));
    }

    @Test
    void aCommentOfExactlyTheLongestLengthIsReadAndOneCharMoreIsNot() {
        String directive = " query-sniper: skip";
        String exact = directive + " ".repeat(QueryHints.MAX_COMMENT - directive.length());
        assertThat(parse("select 1 /*" + exact + "*/").skip()).isTrue();
        assertThat(parse("select 1 /*" + exact + " */").skip()).isFalse();

        String tags = "application='x'";
        String exactTags = tags + " ".repeat(QueryHints.MAX_COMMENT - tags.length());
        assertThat(parse("select 1 /*" + exactTags + "*/").tags()).containsEntry("application", "x");
        assertThat(parse("select 1 /*" + exactTags + " */").tags()).isEmpty();
    }

    @Test
    void aDirectiveCommentIsNotReadForTagsButAMarkerWithoutColonIsNoDirective() {
        assertThat(parse("/* query-sniper: skip, application:x */ select 1").tags()).isEmpty();
        QueryHints notADirective = parse("/*application='x', query-sniper skip*/ select 1");
        assertThat(notADirective.skip()).isFalse();
        assertThat(notADirective.tags()).isEqualTo(Map.of("application", "x"));
    }

    @Test
    void anOptimizerHintValueHasAtMostTwelveDigits() {
        assertThat(parse("select /*+ MAX_EXECUTION_TIME(123456789012) */ 1").timeout())
                .isEqualTo(Duration.ofMillis(123_456_789_012L));
        assertThat(parse("select /*+ MAX_EXECUTION_TIME(1234567890123) */ 1").timeout()).isNull();
        assertThat(parse("select /*+ MAX_EXECUTION_TIME() */ 1").timeout()).isNull();
    }

    @Test
    void theShorterOfTwoHintsOrTwoDirectivesWins() {
        assertThat(parse("select /*+ MAX_EXECUTION_TIME(900) MAX_EXECUTION_TIME(500) */ 1").timeout())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(parse("select /*+ MAX_EXECUTION_TIME(500) MAX_EXECUTION_TIME(900) */ 1").timeout())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(parse("/* query-sniper: timeout=3s timeout=2s timeout=4s */ select 1").timeout())
                .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void sqlcommenterStopsAtAKeyWithoutValueAndDropsAnUnterminatedValue() {
        assertThat(parse("select 1 /*application='x',route=*/").tags()).isEqualTo(Map.of("application", "x"));
        assertThat(parse("select 1 /*application='x',route='abc*/").tags()).isEqualTo(Map.of("application", "x"));
        assertThat(parse("select 1 /*application='x',route=abc*/").tags()).isEqualTo(Map.of("application", "x"));
    }

    @Test
    void marginaliaKeysMayHoldUnderscoresDashesAndDots() {
        assertThat(parse("select 1 /*app_name:a,db-host:b,svc.name:c*/").tags())
                .isEqualTo(Map.of("app_name", "a", "db-host", "b", "svc.name", "c"));
        assertThat(parse("select 1 /*app_name:a,db host:b*/").tags()).as("a space ends the tags")
                .isEqualTo(Map.of("app_name", "a"));
    }

    @Test
    void atMostThirtyTwoTagsAreKept() {
        Set<String> allow = IntStream.rangeClosed(1, 40).mapToObj(i -> "t" + i)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        String marginalia = IntStream.rangeClosed(1, 40).mapToObj(i -> "t" + i + ":v").collect(Collectors.joining(","));
        Map<String, String> tags = QueryHints.parse("select 1 /*" + marginalia + "*/", allow).tags();
        assertThat(tags).hasSize(QueryHints.MAX_TAGS).containsKeys("t1", "t32").doesNotContainKey("t33");
        String commenter = IntStream.rangeClosed(1, 40).mapToObj(i -> "t" + i + "='v'").collect(Collectors.joining(","));
        assertThat(QueryHints.parse("select 1 /*" + commenter + "*/", allow).tags()).hasSize(QueryHints.MAX_TAGS);
    }

    @Test
    void aStatementOfExactlyTwoWindowsIsReadWhole() {
        String middle = "select " + "x".repeat(QueryHints.WINDOW) + " /* query-sniper: skip */ and c = ";
        String exact = middle + "1".repeat(2 * QueryHints.WINDOW - middle.length());
        assertThat(parse(exact).skip()).isTrue();
        assertThat(parse(exact + "1").skip()).isFalse();
    }

    @Test
    void aLongStatementsTrailingCommentCarriesDirectivesUpToTheLongestLength() {
        String body = "select '" + "x".repeat(3 * QueryHints.WINDOW) + "' from t ";
        assertThat(parse(body + "/* query-sniper: timeout=3s*/").timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(parse(body + "/* query-sniper: skip */ ;\n ").skip()).isTrue();
        String directive = " query-sniper: skip";
        String exact = directive + " ".repeat(QueryHints.MAX_COMMENT - directive.length());
        assertThat(parse(body + "/*" + exact + "*/").skip()).isTrue();
        assertThat(parse(body + "/*" + exact + " */").skip()).isFalse();
    }

    @Test
    void aTextThatCannotBeReadGivesNoHints() {
        CharSequence broken = UnreadableText.TEN_CHARS;
        assertThat(QueryHints.parse(broken, ALLOW)).isSameAs(QueryHints.NONE);
    }
}
