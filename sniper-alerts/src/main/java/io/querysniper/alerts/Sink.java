package io.querysniper.alerts;

import java.time.Duration;

/** One configured destination. {@link #deliver} blocks at most the sink's timeout and never throws. */
public interface Sink {
    String name();

    /** One attempt. */
    Attempt deliver(Notification n);

    /** Shortest time between two deliveries (Slack: one message per second per webhook). */
    default Duration minSpacing() {
        return Duration.ZERO;
    }

    /** The endpoint as a log line may show it: no token, no key. */
    String describe();
}
