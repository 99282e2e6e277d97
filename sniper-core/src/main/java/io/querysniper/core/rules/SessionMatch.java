package io.querysniper.core.rules;

import java.util.regex.Pattern;

/**
 * Field conditions on a session. Each field is null when not set. As {@code match}, every field
 * that is set must match (AND); as {@code ignore}, the session is ignored when any field that is set
 * matches (OR), as pt-kill's --ignore-* options behave.
 *
 * @param info regex searched in the query text (never leaves the process)
 */
public record SessionMatch(TextMatch user, TextMatch host, TextMatch db, TextMatch command, TextMatch state,
                           Pattern info) {
    public static final SessionMatch ANY = new SessionMatch(null, null, null, null, null, null);

    public boolean isEmpty() {
        return user == null && host == null && db == null && command == null && state == null && info == null;
    }
}
