package io.querysniper.config;

import java.util.Collection;
import java.util.regex.Pattern;

/** Small helpers on names: simple identifiers and "did you mean" suggestions for typos. */
final class Names {
    /** Database names, node ids and namespaces end up in znode paths, MDC values and metric labels. */
    static final Pattern SIMPLE = Pattern.compile("[A-Za-z0-9_.-]+");

    private Names() {
    }

    /** The closest candidate within a few edits of {@code typo}, or null. */
    static String closest(String typo, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        int allowed = Math.max(1, Math.min(3, typo.length() / 3));
        for (String c : candidates) {
            int d = distance(typo.toLowerCase(), c.toLowerCase());
            if (d <= allowed && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    static String unknownKeyMessage(String key, Collection<String> allowed) {
        String guess = closest(key, allowed);
        return guess == null ? "unknown key" : "unknown key (did you mean " + guess + "?)";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
