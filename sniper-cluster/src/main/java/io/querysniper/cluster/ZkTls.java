package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import io.querysniper.core.target.PemFiles;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;

/**
 * TLS to ZooKeeper from PEM files ({@code cluster.tls { ca, cert, key }}), on ZooKeeper's Netty client
 * socket: the server's certificate must chain to {@code ca} and name the host connected to (ZooKeeper's
 * hostname verification stays on); {@code cert} + {@code key} are the client's for mutual TLS.
 *
 * <p>ZooKeeper reads a PEM key store as one file holding the key (PKCS#8 only) and its certificates, so a
 * PKCS#1 key ({@code BEGIN RSA PRIVATE KEY}, what {@code openssl genrsa} writes) is rewrapped as PKCS#8 into
 * an owner-only temporary file with the certificate; the client re-reads it at every reconnect, so it
 * lives until the JVM exits.
 *
 * @param ca   PEM CA certificate(s) the server must chain to
 * @param cert PEM client certificate (chain), or null
 * @param key  PEM private key of {@code cert}, or null
 */
public record ZkTls(Path ca, Path cert, Path key) {
    public ZkTls {
        if (ca == null) {
            throw new SniperException("ZooKeeper TLS needs a CA file");
        }
        if ((cert == null) != (key == null)) {
            throw new SniperException("ZooKeeper mutual TLS needs both a certificate and its key");
        }
    }

    /** A client configuration that connects over TLS only (a plain server port refuses the handshake). */
    public ZKClientConfig clientConfig() {
        ZKClientConfig config = new ZKClientConfig();
        config.setProperty(ZKClientConfig.SECURE_CLIENT, "true");
        config.setProperty(ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET, ClientCnxnSocketNetty.class.getName());
        try (ClientX509Util x509 = new ClientX509Util()) {
            config.setProperty(x509.getSslTruststoreLocationProperty(), ca.toString());
            config.setProperty(x509.getSslTruststoreTypeProperty(), "PEM");
            config.setProperty(x509.getSslHostnameVerificationEnabledProperty(), "true");
            if (cert != null) {
                config.setProperty(x509.getSslKeystoreLocationProperty(), keyStorePem().toString());
                config.setProperty(x509.getSslKeystoreTypeProperty(), "PEM");
            }
        }
        return config;
    }

    /** The key (as PKCS#8) followed by the certificate chain, in one owner-only temporary PEM file. */
    private Path keyStorePem() {
        String pkcs8;
        try {
            pkcs8 = PemFiles.pkcs8Pem(PemFiles.pkcs8(key));
        } catch (IOException | GeneralSecurityException e) {
            throw new SniperException("cluster.tls.key " + key + ": " + e.getMessage(), e);
        }
        try {
            Path file = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile("query-sniper-zk-", ".pem",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile("query-sniper-zk-", ".pem");
            file.toFile().deleteOnExit();
            Files.writeString(file, pkcs8 + "\n" + Files.readString(cert, StandardCharsets.US_ASCII),
                    StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new SniperException("cannot read cluster.tls.cert " + cert + ": " + e, e);
        }
    }
}
