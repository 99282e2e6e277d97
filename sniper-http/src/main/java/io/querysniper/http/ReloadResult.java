package io.querysniper.http;

import java.util.List;

/**
 * What a reload did.
 *
 * @param applied  true when the new config is running
 * @param messages what changed, or every reason it was refused (config problems, "restart needed")
 */
public record ReloadResult(boolean applied, List<String> messages) {
    public ReloadResult {
        messages = List.copyOf(messages);
    }
}
