package io.querysniper.core.rules;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A list of accepted values for one process-list field: exact strings and regular expressions
 * (written {@code "/regex/"} in the config). Matches when the value equals any exact entry or any
 * regex finds a match in it. A null value matches nothing.
 */
public record TextMatch(Set<String> exact, List<Pattern> patterns) {
    public TextMatch {
        exact = Set.copyOf(exact);
        patterns = List.copyOf(patterns);
    }

    public boolean matches(String value) {
        if (value == null) {
            return false;
        }
        if (exact.contains(value)) {
            return true;
        }
        for (Pattern p : patterns) {
            if (p.matcher(value).find()) {
                return true;
            }
        }
        return false;
    }
}
