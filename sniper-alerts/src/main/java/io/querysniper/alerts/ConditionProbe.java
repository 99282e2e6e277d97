package io.querysniper.alerts;

import java.util.Set;

/**
 * Reads a status API and says which conditions are true now. Asked once a second on the alerts' ticker,
 * never on a kill path; it should answer quickly and may throw (logged, the conditions it reported before
 * are kept).
 */
@FunctionalInterface
public interface ConditionProbe {
    Set<Condition> current();
}
