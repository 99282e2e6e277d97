package io.querysniper.cluster;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the cluster for {@code bin/query-sniper cluster status}.
 *
 * @param nodes   live nodes
 * @param owners  database -> owner (node id and since)
 * @param unowned configured databases that no node owns right now
 * @param configMismatch ids of live nodes whose config hash differs from the expected one (empty
 *                when no expected hash was given)
 */
public record ClusterStatus(List<NodeInfo> nodes, Map<String, OwnerInfo> owners, List<String> unowned,
                            List<String> configMismatch) {

    public ClusterStatus {
        nodes = List.copyOf(nodes);
        owners = new TreeMap<>(owners);
        unowned = List.copyOf(unowned);
        configMismatch = List.copyOf(configMismatch);
    }

    /** A status read without comparing configurations. */
    public ClusterStatus(List<NodeInfo> nodes, Map<String, OwnerInfo> owners, List<String> unowned) {
        this(nodes, owners, unowned, List.of());
    }

    /** True when some live node runs a configuration other than the expected one. */
    public boolean hasConfigMismatch() {
        return !configMismatch.isEmpty();
    }

    /** True when every configured database has an owner (the CLI exits 1 otherwise). */
    public boolean allOwned() {
        return unowned.isEmpty();
    }

    /**
     * {@code {"nodes":[{"id":..,"host":..,"version":..,"configHash":..,"startedAt":..,"sessionTimeoutMs":..,
     * "negotiatedSessionTimeoutMs":..}],
     * "owners":{"<db>":"<node-id>"},"since":{"<db>":"<instant>"},"unowned":[..],"config_mismatch":[..]}}.
     */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\"nodes\":[");
        for (int i = 0; i < nodes.size(); i++) {
            NodeInfo n = nodes.get(i);
            out.append(i == 0 ? "" : ",").append("{\"id\":").append(str(n.id()))
                    .append(",\"host\":").append(str(n.host()))
                    .append(",\"version\":").append(str(n.version()))
                    .append(",\"configHash\":").append(str(n.configHash()))
                    .append(",\"startedAt\":").append(n.startedAt() == null ? "null" : str(n.startedAt().toString()));
            if (n.sessionTimeout() != null) { // configured and granted session timeout, when the node announced them
                out.append(",\"sessionTimeoutMs\":").append(n.sessionTimeout().toMillis());
            }
            if (n.negotiatedSessionTimeout() != null) {
                out.append(",\"negotiatedSessionTimeoutMs\":").append(n.negotiatedSessionTimeout().toMillis());
            }
            out.append('}');
        }
        out.append("],\"owners\":{");
        appendMap(out, owners, OwnerInfo::nodeId);
        out.append("},\"since\":{");
        appendMap(out, owners, o -> o.since() == null ? null : o.since().toString());
        out.append("},\"unowned\":");
        appendList(out, unowned);
        out.append(",\"config_mismatch\":");
        appendList(out, configMismatch);
        return out.append('}').toString();
    }

    private static void appendList(StringBuilder out, List<String> items) {
        out.append('[');
        for (int i = 0; i < items.size(); i++) {
            out.append(i == 0 ? "" : ",").append(str(items.get(i)));
        }
        out.append(']');
    }

    /**
     * A readable rendering: nodes, then one line per database with owner and since, then a line
     * naming the nodes with another configuration, if any.
     */
    public String toTable() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "HOST", "VERSION", "CONFIG", "STARTED", "SESSION"});
        for (NodeInfo n : nodes) {
            rows.add(new String[] {n.id(), n.host(), n.version(), n.configHash(), text(n.startedAt()), session(n)});
        }
        StringBuilder out = new StringBuilder(table(rows)).append('\n');
        List<String[]> dbRows = new ArrayList<>();
        dbRows.add(new String[] {"DATABASE", "OWNER", "SINCE"});
        owners.forEach((db, o) -> dbRows.add(new String[] {db, o.nodeId(), text(o.since())}));
        unowned.forEach(db -> dbRows.add(new String[] {db, "-- none --", ""}));
        out.append(table(dbRows));
        for (NodeInfo n : nodes) {
            if (n.sessionTimeoutRenegotiated()) {
                out.append('\n').append("SESSION TIMEOUT: ").append(n.id()).append(" asked ZooKeeper for ")
                        .append(n.sessionTimeout().toMillis()).append(" ms and was granted ")
                        .append(n.negotiatedSessionTimeout().toMillis())
                        .append(" ms (the server bounds it to 2..20 of its tickTime)\n");
            }
        }
        if (hasConfigMismatch()) {
            out.append('\n').append("CONFIG MISMATCH: ").append(String.join(", ", configMismatch))
                    .append(" run a configuration other than this one (compare the CONFIG column)\n");
        }
        return out.toString();
    }

    /** "10000ms", or "6000ms->4000ms" when the server granted another timeout than the one configured. */
    private static String session(NodeInfo n) {
        if (n.sessionTimeout() == null) {
            return "";
        }
        String asked = n.sessionTimeout().toMillis() + "ms";
        return n.sessionTimeoutRenegotiated() ? asked + "->" + n.negotiatedSessionTimeout().toMillis() + "ms" : asked;
    }

    private static String text(Instant i) {
        return i == null ? "" : i.toString();
    }

    private static String table(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        rows.forEach(r -> {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        });
        StringBuilder out = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(String.format("%-" + (width[i] + 2) + "s", r[i]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private static <V> void appendMap(StringBuilder out, Map<String, V> map,
                                      java.util.function.Function<V, String> value) {
        boolean first = true;
        for (Map.Entry<String, V> e : map.entrySet()) {
            String v = value.apply(e.getValue());
            out.append(first ? "" : ",").append(str(e.getKey())).append(':').append(v == null ? "null" : str(v));
            first = false;
        }
    }

    static String str(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
