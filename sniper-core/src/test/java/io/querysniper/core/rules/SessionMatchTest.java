package io.querysniper.core.rules;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static io.querysniper.core.Fixtures.exact;
import static org.assertj.core.api.Assertions.assertThat;

/** An ignore list with any one field set is not empty (the engine skips empty ones), and the config names. */
class SessionMatchTest {

    @Test
    void anyOneFieldMakesItNonEmpty() {
        TextMatch t = exact("x");
        assertThat(SessionMatch.ANY.isEmpty()).isTrue();
        assertThat(new SessionMatch(t, null, null, null, null, null).isEmpty()).isFalse();
        assertThat(new SessionMatch(null, t, null, null, null, null).isEmpty()).isFalse();
        assertThat(new SessionMatch(null, null, t, null, null, null).isEmpty()).isFalse();
        assertThat(new SessionMatch(null, null, null, t, null, null).isEmpty()).isFalse();
        assertThat(new SessionMatch(null, null, null, null, t, null).isEmpty()).isFalse();
        assertThat(new SessionMatch(null, null, null, null, null, Pattern.compile("x")).isEmpty()).isFalse();
    }

    @Test
    void groupingAndVictimsAreReadByTheirConfigNames() {
        assertThat(GroupBy.fromConfigName("fingerprint")).isEqualTo(GroupBy.FINGERPRINT);
        assertThat(GroupBy.fromConfigName("host")).isEqualTo(GroupBy.HOST);
        assertThat(Victims.fromConfigName("all-but-oldest")).isEqualTo(Victims.ALL_BUT_OLDEST);
        assertThat(Victims.fromConfigName("oldest")).isEqualTo(Victims.OLDEST);
    }
}
