package io.querysniper.cluster;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.querysniper.cluster.CoordinationLossPolicy.KEEP_OWNED;
import static io.querysniper.cluster.CoordinationLossPolicy.STOP;
import static org.assertj.core.api.Assertions.assertThat;

/** Every state of the fencing decision, one row each. Times in ms: grace (T/4) 250, keep-owned 3000. */
class FencingTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # case                                 | running | released | seated | leader | epoch | nodeGone | lease | link    | troubleMs | heldAtTrouble | policy     | verdict
            healthy leader                         | true    | false    | true   | true   | true  | false    | true  | HEALTHY | 0         | false         | STOP       | KILL
            not started or closed                  | false   | false    | true   | true   | true  | false    | true  | HEALTHY | 0         | false         | STOP       | NOT_STARTED
            released for a graceful stop           | true    | true     | true   | true   | true  | false    | true  | HEALTHY | 0         | false         | STOP       | RELEASED
            released beats keep-owned              | true    | true     | true   | true   | true  | false    | false | LOST    | 10        | true          | KEEP_OWNED | RELEASED
            database not configured here           | true    | false    | false  | false  | true  | false    | true  | HEALTHY | 0         | false         | STOP       | NOT_CONFIGURED
            standby                                | true    | false    | true   | false  | true  | false    | true  | HEALTHY | 0         | false         | STOP       | NOT_LEADER
            seat of a lost session                 | true    | false    | true   | true   | false | false    | true  | HEALTHY | 0         | false         | STOP       | STALE_SEAT
            latch znode deleted                    | true    | false    | true   | true   | true  | true     | true  | HEALTHY | 0         | false         | STOP       | LATCH_NODE_GONE
            latch znode deleted under keep-owned   | true    | false    | true   | true   | true  | true     | false | TROUBLE | 10        | true          | KEEP_OWNED | LATCH_NODE_GONE
            connected, lease ran out               | true    | false    | true   | true   | true  | false    | false | TROUBLE | 0         | true          | STOP       | NO_LEASE
            suspended inside the grace             | true    | false    | true   | true   | true  | false    | true  | TROUBLE | 249       | true          | STOP       | KILL_SUSPENDED_GRACE
            suspended at the end of the grace      | true    | false    | true   | true   | true  | false    | true  | TROUBLE | 250       | true          | STOP       | GRACE_OVER
            suspended, lease ran out               | true    | false    | true   | true   | true  | false    | false | TROUBLE | 100       | true          | STOP       | NO_LEASE
            suspended standby                      | true    | false    | true   | false  | true  | false    | true  | TROUBLE | 100       | false         | STOP       | NOT_LEADER
            session lost                           | true    | false    | true   | true   | true  | false    | true  | LOST    | 0         | true          | STOP       | SESSION_LOST
            keep-owned, held, inside the bound     | true    | false    | true   | false  | false | false    | false | LOST    | 2999      | true          | KEEP_OWNED | KILL_KEEP_OWNED
            keep-owned, held, bound over           | true    | false    | true   | true   | true  | false    | true  | LOST    | 3000      | true          | KEEP_OWNED | SESSION_LOST
            keep-owned, held, suspended, in bound  | true    | false    | true   | true   | true  | false    | false | TROUBLE | 1000      | true          | KEEP_OWNED | KILL_KEEP_OWNED
            keep-owned, not held when trouble came | true    | false    | true   | true   | true  | false    | false | LOST    | 10        | false         | KEEP_OWNED | SESSION_LOST
            keep-owned, healthy: ordinary rules    | true    | false    | true   | false  | true  | false    | true  | HEALTHY | 0         | true          | KEEP_OWNED | NOT_LEADER
            keep-owned, suspended past bound, gone | true    | false    | true   | true   | true  | false    | true  | TROUBLE | 3000      | true          | KEEP_OWNED | GRACE_OVER
            """)
    void decides(String name, boolean running, boolean released, boolean seated, boolean leader, boolean epoch,
                 boolean nodeGone, boolean lease, Fencing.Link link, long troubleMs, boolean heldAtTrouble,
                 CoordinationLossPolicy policy, Fencing.Verdict expected) {
        Fencing.Verdict v = Fencing.decide(new Fencing.Facts(running, released, seated, leader, epoch, nodeGone, lease,
                link, ms(troubleMs), heldAtTrouble, policy, ms(3000), ms(250)));
        assertThat(v).as(name).isEqualTo(expected);
        assertThat(v.mayKill).as(name).isEqualTo(expected.name().startsWith("KILL"));
        assertThat(policy).isIn(STOP, KEEP_OWNED);
    }

    private static long ms(long ms) {
        return ms * 1_000_000;
    }
}
