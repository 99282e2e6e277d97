package io.querysniper.core.watch;

import io.querysniper.core.port.ServerPort;

/** A database to watch: how, and the adapter that reaches it. The engine closes the port. */
public record WatchedDatabase(WatchSpec spec, ServerPort port) {
}
