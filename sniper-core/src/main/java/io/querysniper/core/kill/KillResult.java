package io.querysniper.core.kill;

/**
 * What the adapter did with a {@link KillRequest}.
 *
 * @param outcome KILLED, GONE_ALREADY, NOT_PERMITTED or ERROR
 * @param detail  server error code and message for the last three; never query text; null when KILLED
 */
public record KillResult(KillOutcome outcome, String detail) {
    public static KillResult killed() {
        return new KillResult(KillOutcome.KILLED, null);
    }
}
