package io.querysniper.core.port;

import io.querysniper.core.SniperException;

/** The server could not be reached or did not answer in time; the watcher backs off and retries. */
public class ServerUnavailableException extends SniperException {
    public ServerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
