package io.querysniper.core.rules;

import io.querysniper.core.Fixtures.SessionBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.querysniper.core.Fixtures.exact;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each field of {@code match} and {@code ignore} on its own, so a field that stopped being read (or read as
 * another) shows: {@code match} needs every set field (AND), {@code ignore} any one (OR).
 */
class SessionMatcherTest {

    private static SessionMatch only(String field, TextMatch t) {
        return new SessionMatch(field.equals("user") ? t : null, field.equals("host") ? t : null,
                field.equals("db") ? t : null, field.equals("command") ? t : null, field.equals("state") ? t : null,
                null);
    }

    private static SessionMatch info(String regex) {
        return new SessionMatch(null, null, null, null, null, Pattern.compile(regex));
    }

    /** field, accepted value, a session that has it, the same session with another value there. */
    static Stream<Arguments> fields() {
        return Stream.of(
                Arguments.of("user", "report", session(1).user("report"), session(1).user("app")),
                Arguments.of("host", "10.0.0.9", session(1).host("10.0.0.9:4000"), session(1).host("10.0.0.5:4000")),
                Arguments.of("db", "shop", session(1).db("shop"), session(1).db("hr")),
                Arguments.of("command", "Execute", session(1).command("Execute"), session(1).command("Query")),
                Arguments.of("state", "Sending data", session(1).state("Sending data"), session(1).state("executing")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void eachFieldAloneDecidesMatchAndIgnore(String field, String value, SessionBuilder has, SessionBuilder hasNot) {
        SessionMatch m = only(field, exact(value));
        assertThat(SessionMatcher.matchesAll(m, has.build())).as("match, same value").isTrue();
        assertThat(SessionMatcher.matchesAll(m, hasNot.build())).as("match, other value").isFalse();
        assertThat(SessionMatcher.matchesAny(m, has.build())).as("ignore, same value").isTrue();
        assertThat(SessionMatcher.matchesAny(m, hasNot.build())).as("ignore, other value").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fields")
    void anEmptyMatchTakesEverySessionAndAnEmptyIgnoreNone(String field, String value, SessionBuilder has,
                                                           SessionBuilder hasNot) {
        assertThat(SessionMatcher.matchesAll(SessionMatch.ANY, hasNot.build())).isTrue();
        assertThat(SessionMatcher.matchesAny(SessionMatch.ANY, has.build())).isFalse();
    }

    @Test
    void infoIsSearchedInMatchAndIgnoreAndANullInfoMatchesNeither() {
        assertThat(SessionMatcher.matchesAll(info("orders"), session(1).info("select * from orders").build())).isTrue();
        assertThat(SessionMatcher.matchesAll(info("orders"), session(1).info("select 1").build())).isFalse();
        assertThat(SessionMatcher.matchesAny(info("orders"), session(1).info("select * from orders").build())).isTrue();
        assertThat(SessionMatcher.matchesAny(info("orders"), session(1).info("select 1").build())).isFalse();
        assertThat(SessionMatcher.matchesAll(info(".*"), session(1).info(null).build())).isFalse();
        assertThat(SessionMatcher.matchesAny(info(".*"), session(1).info(null).build())).isFalse();
    }

    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource(nullValues = "-", value = {
            "10.0.0.5:51234, 10.0.0.5",
            "db-host.example:3306, db-host.example",
            "'[::1]:5', ::1",
            "'[fe80::1]:61000', fe80::1",
            "'[::1', -",            // no closing bracket: not an address with a port
            "::1, -",               // a bare IPv6 address has no port to strip
            "fe80::2:5, -",
            "localhost, -",
            ":5, -",                // nothing before the port
            "-, -"})
    void stripPortKeepsTheAddressOnly(String host, String bare) {
        assertThat(SessionMatcher.stripPort(host)).isEqualTo(bare);
    }

    @ParameterizedTest(name = "host {0} against {1}: {2}")
    @CsvSource({
            "10.0.0.9, 10.0.0.9:4000, true",  // without the client port
            "10.0.0.9:4000, 10.0.0.9:4000, true", // as shown
            "10.0.0.9, 10.0.0.90:4000, false",
            "::1, '[::1]:5', true",
            "localhost, localhost, true",
            "localhost, otherhost, false"})
    void hostIsTriedAsShownAndWithoutItsPort(String accepted, String shown, boolean matches) {
        SessionMatch m = only("host", exact(accepted));
        assertThat(SessionMatcher.matchesAll(m, session(1).host(shown).build())).isEqualTo(matches);
        assertThat(SessionMatcher.matchesAny(m, session(1).host(shown).build())).isEqualTo(matches);
    }
}
