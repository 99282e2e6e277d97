package io.querysniper.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches continuously that no database is mayKill on two nodes at once. A pair seen true is
 * re-read (first node again after the second) before it counts, so a clean hand-over that
 * happens between two reads is not reported.
 */
final class ExclusionChecker implements AutoCloseable {
    private final List<ClusterNode> nodes = new CopyOnWriteArrayList<>();
    private final Collection<String> dbs;
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long rounds;

    ExclusionChecker(Collection<String> dbs) {
        this.dbs = List.copyOf(dbs);
        this.thread = new Thread(this::loop, "test-exclusion-checker");
        thread.setDaemon(true);
        thread.start();
    }

    void add(ClusterNode node) {
        nodes.add(node);
    }

    void remove(ClusterNode node) {
        nodes.remove(node);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    long rounds() {
        return rounds;
    }

    private void loop() {
        while (running) {
            for (String db : dbs) {
                List<ClusterNode> killers = new ArrayList<>();
                for (ClusterNode n : nodes) {
                    if (n.mayKill(db)) {
                        killers.add(n);
                    }
                }
                if (killers.size() > 1 && killers.get(0).mayKill(db)) {
                    StringBuilder who = new StringBuilder();
                    killers.forEach(n -> who.append(n.view().self()).append(' '));
                    violations.add(java.time.LocalTime.now() + " " + db + " on " + who.toString().trim());
                }
            }
            rounds++;
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
    }
}
