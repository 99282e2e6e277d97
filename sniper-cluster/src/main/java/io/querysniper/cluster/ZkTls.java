package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.zookeeper.ClientCnxnSocketNetty;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ClientX509Util;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1?PRIVATE KEY-----");

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
        try {
            String keyText = Files.readString(key, StandardCharsets.US_ASCII);
            Matcher m = PRIVATE_KEY.matcher(keyText);
            if (!m.find()) {
                throw new SniperException("cluster.tls.key " + key + " holds no PEM private key");
            }
            String kind = m.group(1) == null ? "" : m.group(1).trim();
            String pkcs8 = switch (kind) {
                case "" -> m.group(0);
                case "RSA" -> pem(wrapPkcs1(Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""))));
                default -> throw new SniperException("cluster.tls.key " + key + ": " + kind + " private keys are not"
                        + " supported; convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
            };
            Path file = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile("query-sniper-zk-", ".pem",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile("query-sniper-zk-", ".pem");
            file.toFile().deleteOnExit();
            Files.writeString(file, pkcs8 + "\n" + Files.readString(cert, StandardCharsets.US_ASCII),
                    StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new SniperException("cannot read cluster.tls.cert " + cert + " or key " + key + ": " + e, e);
        }
    }

    private static String pem(byte[] pkcs8) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----";
    }

    /** PKCS#1 RSAPrivateKey to PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING(pkcs1) }. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(new byte[] {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
                0x01, 0x01, 0x01, 0x05, 0x00});
        body.writeBytes(der(0x04, pkcs1));
        return der(0x30, body.toByteArray());
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int len = content.length;
        if (len < 0x80) {
            out.write(len);
        } else {
            int bytes = len > 0xffffff ? 4 : len > 0xffff ? 3 : len > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write((len >>> (8 * i)) & 0xff);
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }
}
