package io.querysniper.core.watch;

import io.querysniper.core.sql.Fingerprint;
import io.querysniper.core.sql.QueryHints;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a kill record carries about its statement: the fingerprint (bounded), its digest and the
 * allow-listed tags; never the text itself. Worked out once per distinct text between two looks: a
 * pile-up repeats one text hundreds of times, and its victims' records are made when their KILLs are
 * due, on the kill path. Watcher thread only.
 */
final class StatementFacts {

    /** The facts of one text; nulls for a session that shows no text. */
    record Facts(String fingerprint, String digest, Map<String, String> tags) {
        static final Facts NONE = new Facts(null, null, Map.of());
    }

    private final Set<String> tagAllowList;
    private final int fingerprintChars;
    private final Map<String, Facts> byText = new HashMap<>();

    StatementFacts(Set<String> tagAllowList, int fingerprintChars) {
        this.tagAllowList = tagAllowList;
        this.fingerprintChars = fingerprintChars;
    }

    /** The facts of {@code info}, worked out on its first use since {@link #forgetAll}. */
    Facts of(String info) {
        if (info == null) {
            return Facts.NONE;
        }
        return byText.computeIfAbsent(info, this::workOut);
    }

    /** Drops every text (at each look: the texts worth keeping are the ones that look sees). */
    void forgetAll() {
        byText.clear();
    }

    private Facts workOut(String info) {
        // Bounded so a 1 MB statement cannot make a 1 MB log line or journal record; the digest still
        // covers the whole fingerprint.
        Fingerprint fp = Fingerprint.of(info).truncate(fingerprintChars);
        return new Facts(fp.fingerprint(), fp.digest(), QueryHints.parse(info, tagAllowList).tags());
    }
}
