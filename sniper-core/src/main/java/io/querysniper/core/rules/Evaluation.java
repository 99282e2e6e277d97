package io.querysniper.core.rules;

import java.time.Duration;
import java.util.List;

/**
 * Result of judging one snapshot.
 *
 * @param verdicts   sessions to act on now, in rule order then oldest first
 * @param nextLook   when the next look is due: the moment the closest candidate that cannot be armed
 *                   crosses its limit, bounded by the database's minSpacing and interval
 * @param upcoming   sessions that will cross a limit before the next look, and whose verdict depends
 *                   on nothing but themselves (no pile-up, no {@code when}): the watcher arms their
 *                   kill for that moment instead of looking again. Soonest first.
 */
public record Evaluation(List<Verdict> verdicts, Duration nextLook, List<Upcoming> upcoming) {
    public Evaluation {
        verdicts = List.copyOf(verdicts);
        upcoming = List.copyOf(upcoming);
    }

    public Evaluation(List<Verdict> verdicts, Duration nextLook) {
        this(verdicts, nextLook, List.of());
    }

    /**
     * A verdict that holds from {@code dueIn} after the snapshot was taken, if the session is still the
     * same then. Its reason and limit are as of that moment.
     */
    public record Upcoming(Verdict verdict, Duration dueIn) {
    }
}
