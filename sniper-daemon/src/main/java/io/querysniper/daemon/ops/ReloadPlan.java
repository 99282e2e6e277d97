package io.querysniper.daemon.ops;

import io.querysniper.config.ClusterSettings;
import io.querysniper.config.DatabaseSettings;
import io.querysniper.config.HttpSettings;
import io.querysniper.config.JournalSettings;
import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SniperSettings;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What a reload would change, worked out before anything is applied: the keys that cannot change live
 * (each a "restart needed" message), the databases added and removed, and those whose rules, server,
 * login or TLS files changed (their watcher is replaced; a new login or TLS means a new connection).
 *
 * @param restartNeeded one message per key that changed but cannot change live; empty when none
 * @param reconnect     changed databases whose server, login or TLS files changed (a subset of {@code changed})
 */
public record ReloadPlan(List<String> restartNeeded, Set<String> added, Set<String> removed, Set<String> changed,
                         Set<String> reconnect) {

    public ReloadPlan {
        restartNeeded = List.copyOf(restartNeeded);
        added = Set.copyOf(added);
        removed = Set.copyOf(removed);
        changed = Set.copyOf(changed);
        reconnect = Set.copyOf(reconnect);
    }

    public boolean changesNothing() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /** @param tlsDigest the digest of a database's TLS files' contents now (see {@link TlsFiles}) */
    public static ReloadPlan of(LoadedSettings running, Map<String, String> runningTls, LoadedSettings next,
                                Function<DatabaseSettings, String> tlsDigest) {
        SniperSettings a = running.settings();
        SniperSettings b = next.settings();
        List<String> restart = new ArrayList<>();
        notLive(restart, "node-id", a.nodeId(), b.nodeId());
        notLive(restart, "data-dir", a.dataDir(), b.dataDir());
        ClusterSettings ca = a.cluster();
        ClusterSettings cb = b.cluster();
        notLive(restart, "cluster.zookeeper", ca.zookeeper(), cb.zookeeper());
        notLive(restart, "cluster.namespace", ca.namespace(), cb.namespace());
        notLive(restart, "cluster.session-timeout", ca.sessionTimeout(), cb.sessionTimeout());
        notLive(restart, "cluster.connection-timeout", ca.connectionTimeout(), cb.connectionTimeout());
        notLive(restart, "cluster.on-coordination-loss", ca.onCoordinationLoss(), cb.onCoordinationLoss());
        notLive(restart, "cluster.keep-owned-for", ca.keepOwnedFor(), cb.keepOwnedFor());
        notLive(restart, "cluster.auth", ca.authScheme(), cb.authScheme());
        notLive(restart, "cluster.embedded-port", ca.embeddedPort(), cb.embeddedPort());
        if (!Objects.equals(running.zookeeperCredentials(), next.zookeeperCredentials())) {
            restart.add("zookeeper (credentials file) changed: a restart is needed");
        }
        JournalSettings ja = a.journal();
        JournalSettings jb = b.journal();
        notLive(restart, "journal", ja, jb);
        HttpSettings ha = a.http();
        HttpSettings hb = b.http();
        notLive(restart, "http.listen", ha == null ? null : ha.listen(), hb == null ? null : hb.listen());
        notLive(restart, "http.tls", ha == null ? null : List.of(String.valueOf(ha.tlsCert()), String.valueOf(ha.tlsKey())),
                hb == null ? null : List.of(String.valueOf(hb.tlsCert()), String.valueOf(hb.tlsKey())));

        Set<String> added = new LinkedHashSet<>(b.databases().keySet());
        added.removeAll(a.databases().keySet());
        Set<String> removed = new LinkedHashSet<>(a.databases().keySet());
        removed.removeAll(b.databases().keySet());
        Set<String> changed = new LinkedHashSet<>();
        Set<String> reconnect = new LinkedHashSet<>();
        for (DatabaseSettings db : b.databases().values()) {
            DatabaseSettings was = a.databases().get(db.name());
            if (was == null) {
                continue;
            }
            boolean newConnection = !was.target().equals(db.target())
                    || !Objects.equals(running.credentials().get(db.name()), next.credentials().get(db.name()))
                    || !Objects.equals(runningTls.get(db.name()), tlsDigest.apply(db));
            // A rule holds compiled patterns, which have no equals: compare the specs as they print
            // (a record prints its components; a pattern prints its source, flags included as (?i) etc.).
            boolean newRules = !was.watch().toString().equals(db.watch().toString());
            if (newConnection) {
                reconnect.add(db.name());
            }
            if (newConnection || newRules) {
                changed.add(db.name());
            }
        }
        return new ReloadPlan(restart, added, removed, changed, reconnect);
    }

    private static void notLive(List<String> out, String key, Object was, Object now) {
        if (!Objects.equals(was, now)) {
            out.add("query-sniper." + key + " changed: a restart is needed");
        }
    }
}
