package io.querysniper.core.kill;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Record ids: unique across every database's watcher of a node, even within one millisecond, and sorted by time. */
class RecordIdsTest {
    private static final Instant T = Instant.parse("2026-12-07T01:02:03.456Z");

    @Test
    void twoDatabasesOfOneNodeNeverShareAnIdInTheSameMillisecond() {
        RecordIds orders = new RecordIds("n1"); // each watcher makes its own
        RecordIds billing = new RecordIds("n1");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(orders.next(T));
            ids.add(billing.next(T));
        }
        assertThat(ids).hasSize(200).doesNotHaveDuplicates().allMatch(id -> id.startsWith("1796605323456-n1-"));
    }

    @Test
    void idsSortByTimeAsStrings() {
        RecordIds ids = new RecordIds("n1");
        String earlier = ids.next(T);
        String later = ids.next(T.plusMillis(1));
        assertThat(earlier).isLessThan(later).matches("\\d{13}-n1-\\d{6}");
    }
}
