package io.querysniper.cluster;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Pure assignment of databases to members: rendezvous (highest random weight) hashing with
 * bounded loads. Every (database, member) pair gets a weight from a hash of both names; pairs are
 * taken highest weight first and a database goes to the first member with room, where room means
 * "fewer than floor(D/N)", or "exactly floor(D/N) while fewer than D mod N members already hold
 * ceil(D/N)". The result is exactly balanced (floor or ceil each) and, like plain rendezvous
 * hashing, mostly stable: a member joining or leaving moves few databases. Every node computes the
 * same answer from the same member list, so nobody has to coordinate the plan itself.
 */
final class Balancer {
    private Balancer() {
    }

    /** Every member has every database configured. */
    static Map<String, String> assign(Collection<String> databases, Collection<String> members) {
        Set<String> dbs = Set.copyOf(databases);
        Map<String, Set<String>> configured = new TreeMap<>();
        members.forEach(m -> configured.put(m, dbs));
        return assign(configured);
    }

    /**
     * The plan for members whose database lists may differ (a rolling config change): a database
     * goes only to a member that has it configured. The bounded-load pass runs over the pairs a
     * member can take; a database it leaves without a place (all members that have it are full)
     * goes to the least loaded member that has it, highest weight first. With equal lists this is
     * exactly the plain plan. Every node computes it from the lists all members announce, so all
     * agree, whatever their own list.
     *
     * @param configured member id -> the databases it has configured; null means "announced none"
     *                   (an older node), taken as every database any member has
     */
    static Map<String, String> assign(Map<String, ? extends Collection<String>> configured) {
        SortedSet<String> dbs = new TreeSet<>();
        configured.values().forEach(l -> {
            if (l != null) {
                dbs.addAll(l);
            }
        });
        SortedSet<String> nodes = new TreeSet<>(configured.keySet());
        // A hash map: the balancing pass looks up each database in the plan at every tick (a sorted map's
        // string comparisons were 4% of an idle node's CPU at 1,000 databases).
        Map<String, String> result = new HashMap<>();
        if (nodes.isEmpty() || dbs.isEmpty()) {
            return result;
        }
        Map<String, Set<String>> has = new HashMap<>();
        for (String node : nodes) {
            Collection<String> l = configured.get(node);
            has.put(node, l == null ? dbs : Set.copyOf(l));
        }
        int floor = dbs.size() / nodes.size();
        int withCeil = dbs.size() % nodes.size();
        record Pair(String db, String node, long weight) {
        }
        List<Pair> pairs = new ArrayList<>(dbs.size() * nodes.size());
        for (String db : dbs) {
            for (String node : nodes) {
                if (has.get(node).contains(db)) {
                    pairs.add(new Pair(db, node, weight(db, node)));
                }
            }
        }
        pairs.sort(Comparator.comparingLong(Pair::weight).reversed()
                .thenComparing(Pair::db).thenComparing(Pair::node));
        Map<String, Integer> load = new HashMap<>();
        int atCeil = 0;
        for (Pair p : pairs) {
            if (result.containsKey(p.db())) {
                continue;
            }
            int l = load.getOrDefault(p.node(), 0);
            boolean room = l < floor || (l == floor && atCeil < withCeil);
            if (room) {
                result.put(p.db(), p.node());
                load.put(p.node(), l + 1);
                if (l + 1 > floor) {
                    atCeil++;
                }
            }
        }
        for (Pair p : pairs) { // highest weight first: the first eligible member with the least load wins
            if (result.containsKey(p.db())) {
                continue;
            }
            String best = null;
            for (Pair q : pairs) {
                if (q.db().equals(p.db()) && (best == null || load.getOrDefault(q.node(), 0) < load.getOrDefault(best, 0))) {
                    best = q.node();
                }
            }
            result.put(p.db(), best);
            load.merge(best, 1, Integer::sum);
        }
        return result;
    }

    /** FNV-1a over "db\0node", then the SplitMix64 finalizer for good bit spread. */
    static long weight(String db, String node) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (db + '\0' + node).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
