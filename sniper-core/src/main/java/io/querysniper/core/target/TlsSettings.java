package io.querysniper.core.target;

import java.nio.file.Path;

/**
 * @param ca   CA certificate (PEM) to verify the server with, or null
 * @param cert client certificate (PEM) for mutual TLS, or null
 * @param key  client private key (PEM) for mutual TLS, or null
 */
public record TlsSettings(TlsMode mode, Path ca, Path cert, Path key) {
    public static final TlsSettings PREFERRED = new TlsSettings(TlsMode.PREFERRED, null, null, null);
}
