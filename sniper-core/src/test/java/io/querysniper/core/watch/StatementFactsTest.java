package io.querysniper.core.watch;

import io.querysniper.core.sql.Fingerprint;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class StatementFactsTest {
    private final StatementFacts facts = new StatementFacts(Set.of("route"), 40);

    @Test
    void aTextIsWorkedOutOnceUntilTheNextLook() {
        String sql = "UPDATE t SET v = v + 1 WHERE id = 7 /*route='checkout',user='bob'*/";
        StatementFacts.Facts first = facts.of(sql);
        assertThat(first.fingerprint()).isEqualTo(Fingerprint.of(sql).fingerprint());
        assertThat(first.digest()).isEqualTo(Fingerprint.of(sql).digest());
        assertThat(first.tags()).isEqualTo(Map.of("route", "checkout")); // only the allow-listed tag
        assertThat(facts.of(new String(sql))).as("an equal text: the same facts, not worked out again").isSameAs(first);

        facts.forgetAll();
        StatementFacts.Facts again = facts.of(sql);
        assertThat(again).isNotSameAs(first).isEqualTo(first);
    }

    @Test
    void aLongStatementIsCutButItsDigestCoversTheWholeFingerprint() {
        String sql = "SELECT a, b, c, d, e, f, g, h, i, j, k, l, m FROM t WHERE id IN (1, 2, 3)";
        StatementFacts.Facts f = facts.of(sql);
        assertThat(f.fingerprint()).hasSizeLessThanOrEqualTo(40).endsWith(Fingerprint.CUT_MARKER);
        assertThat(f.digest()).isEqualTo(Fingerprint.of(sql).digest());
    }

    @Test
    void noTextNoFacts() {
        assertThat(facts.of(null)).isSameAs(StatementFacts.Facts.NONE);
        assertThat(StatementFacts.Facts.NONE.fingerprint()).isNull();
        assertThat(StatementFacts.Facts.NONE.tags()).isEmpty();
    }
}
