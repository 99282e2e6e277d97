package io.querysniper.cluster;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The balancing pass, every tick on its own thread: once the roster (members and the databases each
 * has configured) has been unchanged for the settle time, every node computes the same plan
 * ({@link Balancer}) and a node leading a database that the plan gives to another member queued on
 * that latch hands it over (leaves and rejoins at the back). The next in the queue either is the
 * planned owner or hands over in turn, so ownership converges in at most N-1 hand-overs and never
 * flaps while the roster is stable. It also rejoins a latch whose node never appeared.
 *
 * <p>Once a walk over the latches finds nothing to do or wait for, and nothing has moved for
 * {@link #BUSY_FOR}, the walk runs once every {@link #QUIET_WALK} instead of every tick (the roster is
 * still read every tick, so a member coming or going is seen at once): walking 1,000 latches five times a
 * second was about 3% of an idle node's CPU, profiled at 1,000 databases, mostly cache misses over the
 * latches' objects.
 */
final class Rebalancer {
    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

    /** The live members and the databases each has configured ({@link Membership#read} in the product). */
    @FunctionalInterface
    interface RosterSource {
        Membership.Roster read() throws Exception;
    }

    /**
     * This node's seats in the latches, as a pass sees them: {@link LatchSeats} in the product, a model of
     * the latch queues in the simulation test (many passes of several nodes over simulated time).
     */
    interface Latches {
        /** False when this node has no seat in the database's latch. */
        boolean seated(String db);

        /** When the seat was made (nanos) if its latch znode does not exist yet; -1 when it exists. */
        long nodelessSince(String db);

        /** The seat leads its latch. */
        boolean leads(String db);

        /** {@code node} is queued on the database's latch (a read of the latch's participants). */
        boolean queued(String db, String node) throws Exception;

        /** Leaves the latch and rejoins at the back of its queue. */
        void handOver(String db, String target);
    }

    /** How long walks stay every tick after the last thing that moved. */
    static final Duration BUSY_FOR = Duration.ofSeconds(5);
    /** How often a walk runs while nothing moves: a chained hand-over (see above) waits at most this long. */
    static final Duration QUIET_WALK = Duration.ofSeconds(1);

    private final String selfId;
    private final RosterSource membership;
    private final Latches seats;
    private final Supplier<List<String>> databases;
    /** True while a pass may act: started, not released, no coordination trouble, connected. */
    private final BooleanSupplier mayAct;
    private final Duration settle;
    private final LongSupplier nanos;

    // Touched only on the balancer thread.
    private Membership.Roster roster;
    /** The plan for {@link #roster}: it changes only with the roster, so it is computed once per change. */
    private Map<String, String> plan = Map.of();
    private long rosterChangedAt;
    /** Walks run every tick until then (nanos): after a roster change, a hand-over or a seat still waiting. */
    private long busyUntil;
    private long lastWalk;

    Rebalancer(String selfId, RosterSource membership, Latches seats, Supplier<List<String>> databases,
               BooleanSupplier mayAct, Duration settle, LongSupplier nanos) {
        this.selfId = selfId;
        this.membership = membership;
        this.seats = seats;
        this.databases = databases;
        this.mayAct = mayAct;
        this.settle = settle;
        this.nanos = nanos;
    }

    /**
     * A latch whose node is still missing this long after it started is rejoined: 5 s, plus 25 ms for each
     * database, since a node joining 1,000 latches on one ensemble waits its turn for many of them (a flat
     * 5 s made 200-2,900 latches rejoin at every start of the 1,000-database bench, each rejoin adding to
     * the queue it waited in); 30 s at 1,000 databases.
     */
    static Duration latchNodeWait(int databases) {
        return Duration.ofSeconds(5).plusMillis(25L * databases);
    }

    void tick() {
        try (var ignored = MDC.putCloseable("qs.node", selfId)) {
            if (!mayAct.getAsBoolean()) {
                return;
            }
            Membership.Roster now = membership.read();
            long at = nanos.getAsLong();
            if (!now.equals(roster)) {
                roster = now;
                plan = Balancer.assign(now.configured());
                rosterChangedAt = at;
                busyUntil = at + settle.toNanos() + BUSY_FOR.toNanos();
                return;
            }
            if (!now.ids().contains(selfId) || at - rosterChangedAt < settle.toNanos()) {
                return;
            }
            // The first walk comes within the busy time the first roster read sets.
            if (at - busyUntil >= 0 && at - lastWalk < QUIET_WALK.toNanos()) {
                return;
            }
            lastWalk = at;
            if (walk(at)) {
                busyUntil = at + BUSY_FOR.toNanos();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            if (mayAct.getAsBoolean()) {
                log.warn("Balancing pass failed: {}", e.toString());
            }
        }
    }

    /**
     * One walk over this node's seats: rejoins a latch whose node never appeared, hands a led database
     * over to its planned owner once that one is queued. True when something moved or is still awaited
     * (a hand-over, a latch without its node, a led database whose planned owner has not queued yet).
     */
    private boolean walk(long at) throws Exception {
        boolean moving = false;
        List<String> dbs = databases.get();
        Duration wait = latchNodeWait(dbs.size());
        for (String db : dbs) {
            if (!seats.seated(db)) {
                continue;
            }
            long nodeless = seats.nodelessSince(db);
            if (nodeless != -1) {
                moving = true;
                if (at - nodeless > wait.toNanos()) {
                    log.warn("Latch of {} has no node after {} ms; rejoining", db, wait.toMillis());
                    seats.handOver(db, "(anyone)");
                }
                continue;
            }
            String target = plan.get(db);
            if (target == null || selfId.equals(target) || !seats.leads(db)) {
                continue;
            }
            moving = true;
            if (seats.queued(db, target)) {
                seats.handOver(db, target + " (balance)");
            }
        }
        return moving;
    }
}
