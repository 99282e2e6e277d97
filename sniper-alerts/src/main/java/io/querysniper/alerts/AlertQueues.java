package io.querysniper.alerts;

import java.util.List;

/** Every sink's queue counters, read-only: what the metrics endpoint exports. */
public interface AlertQueues {
    List<SinkStats> sinkStats();

    AlertQueues NONE = List::of;
}
