package io.querysniper.daemon.process;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's promise checked from what was observed: never two nodes killing on one database at
 * once. Each node's kills are cut into terms (runs of its kills with less than {@code gap} between
 * two of them); a kill by another node inside a term, strictly after its first kill and before its
 * last, is an overlap. A legitimate hand-over ends one node's term before the next node's first kill,
 * and ownership cannot go A to B and back to A within {@code gap} (that takes a node's restart or a
 * balancing pass after a settle time), so a gap of about a second tells terms apart.
 */
final class KillOverlap {
    /** One KILL: who sent it, when (by the clock of the source that saw it), and what (for the report). */
    record Kill(String node, Instant at, String what) {
    }

    /** A run of one node's kills. */
    record Term(String node, Instant first, Instant last, int kills) {
        boolean strictlyContains(Instant t) {
            return t.isAfter(first) && t.isBefore(last);
        }
    }

    private KillOverlap() {
    }

    static List<Term> terms(List<Kill> kills, Duration gap) {
        Map<String, List<Kill>> byNode = new LinkedHashMap<>();
        kills.stream().sorted(Comparator.comparing(Kill::at))
                .forEach(k -> byNode.computeIfAbsent(k.node(), n -> new ArrayList<>()).add(k));
        List<Term> terms = new ArrayList<>();
        for (Map.Entry<String, List<Kill>> e : byNode.entrySet()) {
            Kill first = null;
            Kill last = null;
            int n = 0;
            for (Kill k : e.getValue()) {
                if (last != null && Duration.between(last.at(), k.at()).compareTo(gap) >= 0) {
                    terms.add(new Term(e.getKey(), first.at(), last.at(), n));
                    first = null;
                    n = 0;
                }
                if (first == null) {
                    first = k;
                }
                last = k;
                n++;
            }
            if (first != null) {
                terms.add(new Term(e.getKey(), first.at(), last.at(), n));
            }
        }
        terms.sort(Comparator.comparing(Term::first));
        return terms;
    }

    /** Every kill that falls inside another node's term, described; empty when nodes took turns. */
    static List<String> overlaps(List<Kill> kills, Duration gap) {
        List<Term> terms = terms(kills, gap);
        List<String> out = new ArrayList<>();
        for (Kill k : kills) {
            for (Term t : terms) {
                if (!t.node().equals(k.node()) && t.strictlyContains(k.at())) {
                    out.add(k.node() + " killed at " + k.at() + " (" + k.what() + ") inside " + t.node() + "'s term "
                            + t.first() + " .. " + t.last() + " (" + t.kills() + " kills)");
                }
            }
        }
        return out;
    }
}
