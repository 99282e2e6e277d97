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
            if ((typo.length() >= 3 && c.startsWith(typo)) || (c.length() >= 2 && typo.startsWith(c))) {
                d = Math.min(d, allowed); // "keep" for "keep-owned", "cafile" for "ca": cut short or run on
            }
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

    /** Edit distance where swapping two neighbours ("tabel") counts as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
