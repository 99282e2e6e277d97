package io.querysniper.core;

/**
 * The one unchecked exception used inside Query Sniper. Adapters translate their own checked
 * exceptions (SQLException, KeeperException, IOException) into this at their edge, with a message
 * that names the database or file concerned and never carries raw query text or secrets.
 */
public class SniperException extends RuntimeException {
    public SniperException(String message) {
        super(message);
    }

    public SniperException(String message, Throwable cause) {
        super(message, cause);
    }
}
