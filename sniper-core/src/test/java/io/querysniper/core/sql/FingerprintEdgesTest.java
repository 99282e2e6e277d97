package io.querysniper.core.sql;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Fingerprint cases the golden file does not pin: rows that differ, and the never-throw safety net. */
class FingerprintEdgesTest {

    @Test
    void onlyIdenticalRowsCollapse() {
        // Rows of different length, and rows of the same length that differ: both kept, each once.
        assertThat(Fingerprint.textOf("insert into t values (1, now()), (2, x)"))
                .isEqualTo("insert into t values(?, now()), (?, x)");
        assertThat(Fingerprint.textOf("insert into t values (now(), 1), (1, now())"))
                .isEqualTo("insert into t values(now(), ?), (?, now())");
        assertThat(Fingerprint.textOf("insert into t values (now(), 1), (now(), 2), (now(), 3)"))
                .isEqualTo("insert into t values(now(), ?)");
    }

    @Test
    void aTextThatCannotBeReadFingerprintsAsAPlaceholderNotAnError() {
        CharSequence broken = UnreadableText.TEN_CHARS;
        assertThat(Fingerprint.textOf(broken)).isEqualTo("?");
        assertThat(Fingerprint.of(broken).fingerprint()).isEqualTo("?");
    }
}
