package io.querysniper.core.sql;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * What a query says about itself in its comments and hints. STUB: the fingerprint issue implements parse.
 *
 * @param timeout  own limit from {@code /* query-sniper: timeout=5s * /} or the MAX_EXECUTION_TIME(ms)
 *                 optimizer hint (the shorter of the two), or null
 * @param skip     {@code /* query-sniper: skip * /} present
 * @param tags     sqlcommenter ({@code key='value',...}) or marginalia ({@code key:value,...}) tags from a
 *                 leading or trailing comment, only those whose names are in the allow-list
 */
public record QueryHints(Duration timeout, boolean skip, Map<String, String> tags) {
    public static final QueryHints NONE = new QueryHints(null, false, Map.of());

    public QueryHints {
        tags = Map.copyOf(tags);
    }

    /** Never throws; returns {@link #NONE} for null or comment-free text. */
    public static QueryHints parse(CharSequence sql, Set<String> tagAllowList) {
        throw new UnsupportedOperationException("not yet implemented");
    }
}
