package io.querysniper.daemon;

import io.querysniper.core.port.ServerPort;
import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;

import java.time.Clock;

/** Makes the adapter that reaches one server. The MySQL adapter in production; tests may wrap it. */
@FunctionalInterface
public interface PortFactory {
    ServerPort open(DatabaseTarget target, Credentials credentials, String nodeId, Clock clock);
}
