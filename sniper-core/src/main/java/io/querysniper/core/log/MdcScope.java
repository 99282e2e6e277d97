package io.querysniper.core.log;

import org.slf4j.MDC;

import java.util.ArrayList;
import java.util.List;

/**
 * Sets MDC keys ({@code qs.node}, {@code qs.db}, {@code qs.rule}) for a try-with-resources block and
 * restores what was there before on close, so a nested scope (a listener on a watcher thread) does
 * not wipe the keys of the scope around it. Null values are left out.
 */
public final class MdcScope implements AutoCloseable {
    public static final String NODE = "qs.node";
    public static final String DB = "qs.db";
    public static final String RULE = "qs.rule";

    private final List<String[]> previous = new ArrayList<>(3);

    private MdcScope() {
    }

    /** {@code keysAndValues}: key, value, key, value, ... */
    public static MdcScope of(String... keysAndValues) {
        MdcScope scope = new MdcScope();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            String key = keysAndValues[i];
            String value = keysAndValues[i + 1];
            if (value != null) {
                scope.previous.add(new String[] {key, MDC.get(key)});
                MDC.put(key, value);
            }
        }
        return scope;
    }

    @Override
    public void close() {
        for (int i = previous.size() - 1; i >= 0; i--) {
            String[] kv = previous.get(i);
            if (kv[1] == null) {
                MDC.remove(kv[0]);
            } else {
                MDC.put(kv[0], kv[1]);
            }
        }
        previous.clear();
    }
}
