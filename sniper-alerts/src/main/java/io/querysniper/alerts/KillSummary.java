package io.querysniper.alerts;

import io.querysniper.core.kill.KillRecord;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a message says about a window's kills: counts, the top fingerprints, the ages. Never query text. */
record KillSummary(List<Top> top, long minAgeMs, long medianAgeMs, long maxAgeMs, List<String> digests,
                   Map<String, String> tags) {

    /** One fingerprint with how many of the window's kills had it. */
    record Top(String digest, String fingerprint, int count) {
    }

    static KillSummary of(List<KillRecord> kills, int topN) {
        Map<String, Top> byDigest = new LinkedHashMap<>();
        List<Long> ages = new ArrayList<>();
        Map<String, String> tags = new LinkedHashMap<>();
        for (KillRecord r : kills) {
            String digest = r.digest() == null ? "-" : r.digest();
            Top t = byDigest.get(digest);
            byDigest.put(digest, new Top(digest, r.fingerprint(), t == null ? 1 : t.count() + 1));
            if (r.ageMs() >= 0) {
                ages.add(r.ageMs());
            }
            r.tags().forEach(tags::putIfAbsent);
        }
        List<Top> top = new ArrayList<>(byDigest.values());
        top.sort(Comparator.comparingInt(Top::count).reversed());
        ages.sort(null);
        List<String> digests = top.stream().map(Top::digest).filter(d -> !"-".equals(d)).toList();
        return new KillSummary(top.subList(0, Math.min(topN, top.size())),
                ages.isEmpty() ? -1 : ages.get(0), ages.isEmpty() ? -1 : ages.get(ages.size() / 2),
                ages.isEmpty() ? -1 : ages.get(ages.size() - 1), digests, tags);
    }

    static String seconds(long ms) {
        return ms < 0 ? "-" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
