package io.querysniper.core.port;

/**
 * The server answers, but too slowly: a polling query hit its statement timeout. A slow server is not a
 * dead one: the watcher tries again at the next interval instead of backing off, and says which it is.
 */
public class ServerSlowException extends ServerUnavailableException {
    public ServerSlowException(String message, Throwable cause) {
        super(message, cause);
    }
}
