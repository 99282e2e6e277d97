package io.querysniper.core.watch;

import io.querysniper.core.kill.KillRequest;
import io.querysniper.core.kill.KillResult;
import io.querysniper.core.model.ServerSnapshot;
import io.querysniper.core.model.ServerStatus;
import io.querysniper.core.model.Session;
import io.querysniper.core.model.StatusNeeds;
import io.querysniper.core.port.ServerPort;
import io.querysniper.core.port.ServerUnavailableException;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A server in memory: shows the sessions it is given, records kills, can be down. */
final class FakePort implements ServerPort {
    final Clock clock;
    volatile List<Session> sessions = List.of();
    volatile int downFor;                     // the next n snapshots throw ServerUnavailableException
    volatile RuntimeException snapshotFailure; // thrown by every snapshot while set
    volatile Function<KillRequest, KillResult> killer = r -> KillResult.killed();
    volatile Runnable onSnapshot = () -> { };
    final List<KillRequest> kills = new CopyOnWriteArrayList<>();
    final AtomicInteger snapshots = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    /** How often the watcher said kills are armed ({@link ServerPort#expectKills()}). */
    final AtomicInteger expectKills = new AtomicInteger();

    FakePort(Clock clock) {
        this.clock = clock;
    }

    FakePort showing(Session... s) {
        sessions = List.of(s);
        return this;
    }

    final List<io.querysniper.core.model.SessionFilter> filters = new CopyOnWriteArrayList<>();
    volatile String serverId = "mariadb:1@fake:3306";

    @Override
    public ServerSnapshot snapshot(StatusNeeds needs, io.querysniper.core.model.SessionFilter filter) {
        filters.add(filter);
        return snapshot(needs);
    }

    @Override
    public void expectKills() {
        expectKills.incrementAndGet();
    }

    @Override
    public ServerSnapshot snapshot(StatusNeeds needs) {
        snapshots.incrementAndGet();
        java.time.Instant takenAt = clock.instant(); // the server's answer is as of the start of the look
        onSnapshot.run();
        if (downFor > 0) {
            downFor--;
            throw new ServerUnavailableException("connection refused", null);
        }
        if (snapshotFailure != null) {
            throw snapshotFailure;
        }
        return new ServerSnapshot(takenAt, sessions, Set.of(), ServerStatus.UNKNOWN, true, serverId);
    }

    /** Like the real adapter, asks the request's fence right before "sending": no KILL once it says no. */
    @Override
    public KillResult kill(KillRequest request) {
        fenceAsked.incrementAndGet();
        if (!request.fence().getAsBoolean()) {
            return new KillResult(io.querysniper.core.kill.KillOutcome.NOT_OWNER, "ownership lost before the KILL was sent");
        }
        kills.add(request);
        return killer.apply(request);
    }

    final AtomicInteger fenceAsked = new AtomicInteger();

    @Override
    public void close() {
        closes.incrementAndGet();
    }
}
