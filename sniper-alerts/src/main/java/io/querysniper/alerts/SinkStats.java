package io.querysniper.alerts;

/** Read-only counters of one sink's delivery queue, for metrics ({@code query_sniper_alert_queue_depth{sink}}). */
public interface SinkStats {
    String sink();

    /** Notifications waiting now. */
    int depth();

    /** Notifications dropped: the queue was full, or the stop's drain time ran out. */
    long dropped();

    long delivered();

    /** Refused by the endpoint, or given up on after the retries. */
    long failed();
}
