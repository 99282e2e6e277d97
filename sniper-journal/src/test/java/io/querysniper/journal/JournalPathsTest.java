package io.querysniper.journal;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JournalPathsTest {

    @Test
    void recordsGoToTheSecondBucketOfTheTimeInTheirId() {
        String id = Instant.parse("2025-06-01T22:07:09.123Z").toEpochMilli() + "-n1-000007";
        assertThat(JournalPaths.recordPath(id, Instant.EPOCH))
                .isEqualTo("/journal/records/2025-06-01/22/07/09/" + id);
    }

    @Test
    void idsWithoutTimeUseTheFallback() {
        assertThat(JournalPaths.recordPath("odd-id", Instant.parse("2025-01-02T03:04:05Z")))
                .isEqualTo("/journal/records/2025-01-02/03/04/05/odd-id");
    }

    @Test
    void bucketStartReadsEveryLevel() {
        assertThat(JournalPaths.bucketStart(List.of("2025-06-01"))).isEqualTo(Instant.parse("2025-06-01T00:00:00Z"));
        assertThat(JournalPaths.bucketStart(List.of("2025-06-01", "22", "07", "09")))
                .isEqualTo(Instant.parse("2025-06-01T22:07:09Z"));
        assertThatThrownBy(() -> JournalPaths.bucketStart(List.of("2025-06-01", "2"))).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> JournalPaths.bucketStart(List.of("latch"))).isInstanceOf(RuntimeException.class);
    }
}
