package io.querysniper.core.watch;

import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static io.querysniper.core.Fixtures.T0;
import static io.querysniper.core.Fixtures.ms;
import static io.querysniper.core.Fixtures.s;
import static io.querysniper.core.Fixtures.session;
import static org.assertj.core.api.Assertions.assertThat;

class TransactionAgesTest {
    private final TransactionAges ages = new TransactionAges();

    private static ServerSnapshot at(Instant t, Session... sessions) {
        return new ServerSnapshot(t, List.of(sessions), Set.of(), ServerStatus.UNKNOWN, true);
    }

    private static Duration trxAge(ServerSnapshot s) {
        return s.sessions().get(0).transactionAge();
    }

    @Test
    void anIdleSessionsTransactionIsAtLeastAsOldAsItsIdleTime() {
        // trx_started in whole seconds gave a lower bound of 3.0 s; the session has been idle 3.75 s.
        ServerSnapshot s = ages.sharpen(at(T0, session(1).sleeping(3.75).trx(s(3)).build()));
        assertThat(trxAge(s)).isEqualTo(ms(3750));
    }

    @Test
    void aBusySessionKeepsTheAdaptersBound() {
        ServerSnapshot s = ages.sharpen(at(T0, session(1).secs(3.75).trx(s(3)).build()));
        assertThat(trxAge(s)).isEqualTo(s(3));
    }

    @Test
    void whatAnEarlierLookProvedCarriesOverForTheSameTransactionOnly() {
        ages.sharpen(at(T0, session(1).sleeping(3.75).trx(s(3)).trxId(10).build()));
        // Busy again a second later: the whole-second bound says 4 s, the earlier look proves 4.75 s.
        ServerSnapshot later = ages.sharpen(at(T0.plusSeconds(1), session(1).secs(0.2).trx(s(4)).trxId(10).build()));
        assertThat(trxAge(later)).isEqualTo(ms(4750));
        // A new transaction on the same connection inherits nothing.
        ServerSnapshot other = ages.sharpen(at(T0.plusSeconds(2), session(1).secs(0.2).trx(s(1)).trxId(11).build()));
        assertThat(trxAge(other)).isEqualTo(s(1));
    }

    @Test
    void withoutTransactionIdsNothingCarriesOver() {
        ages.sharpen(at(T0, session(1).sleeping(3.75).trx(s(3)).build()));
        ServerSnapshot later = ages.sharpen(at(T0.plusSeconds(1), session(1).secs(0.2).trx(s(1)).build()));
        assertThat(trxAge(later)).isEqualTo(s(1)); // could be a new transaction: never overstated
    }

    @Test
    void transactionIdZeroIsAnId() {
        ages.sharpen(at(T0, session(1).sleeping(3.75).trx(s(3)).trxId(0).build()));
        ServerSnapshot later = ages.sharpen(at(T0.plusSeconds(1), session(1).secs(0.2).trx(s(4)).trxId(0).build()));
        assertThat(trxAge(later)).isEqualTo(ms(4750));
    }
}
