package io.querysniper.core.rules;

import java.time.Duration;
import java.util.List;

/**
 * Result of judging one snapshot.
 *
 * @param verdicts   sessions to act on, in rule order then oldest first
 * @param nextLook   when the next look is due: the moment the closest candidate crosses its limit,
 *                   bounded by the database's minSpacing and interval
 */
public record Evaluation(List<Verdict> verdicts, Duration nextLook) {
    public Evaluation {
        verdicts = List.copyOf(verdicts);
    }
}
