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
        CharSequence broken = new CharSequence() {
            @Override
            public int length() {
                return 10;
            }

            @Override
            public char charAt(int index) {
                throw new IllegalStateException("unreadable");
            }

            @Override
            public CharSequence subSequence(int start, int end) {
                throw new IllegalStateException("unreadable");
            }

            @Override
            public String toString() {
                throw new IllegalStateException("unreadable");
            }
        };
        assertThat(Fingerprint.textOf(broken)).isEqualTo("?");
        assertThat(Fingerprint.of(broken).fingerprint()).isEqualTo("?");
    }
}
