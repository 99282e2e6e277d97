package io.querysniper.http;

/** The HTTP server could not start (address taken, TLS files unusable); the message says which key to change. */
public final class HttpServerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HttpServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
