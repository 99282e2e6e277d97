package io.querysniper.mysql;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.querysniper.core.SniperException;

/**
 * Turns PEM files (what MySQL and MariaDB users have) into the PKCS#12 key stores Connector/J reads,
 * with the JDK's own KeyStore API: no Bouncy Castle, no openssl. Private keys may be PKCS#8
 * ({@code BEGIN PRIVATE KEY}, RSA, EC or EdDSA) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). Encrypted
 * keys are not supported. The stores are written to owner-only temp files, deleted on {@link #close()}.
 */
final class PemKeyStores implements AutoCloseable {
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1?PRIVATE KEY-----");

    private final String password;
    private Path trustStore;
    private Path keyStore;

    PemKeyStores() {
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        this.password = HexFormat.of().formatHex(random);
    }

    String password() {
        return password;
    }

    /** A PKCS#12 trust store holding every certificate of the CA file. */
    Path trustStore(Path caPem) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate cert : certificates(caPem)) {
                ks.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new SniperException("TLS CA file " + caPem + " holds no certificate");
            }
            trustStore = write(ks, "trust");
            return trustStore;
        } catch (GeneralSecurityException | IOException e) {
            throw new SniperException("cannot read TLS CA file " + caPem + ": " + e.getMessage(), e);
        }
    }

    /** A PKCS#12 key store with the client key and its certificate chain, for mutual TLS. */
    Path keyStore(Path certPem, Path keyPem) {
        try {
            Certificate[] chain = certificates(certPem).toArray(Certificate[]::new);
            if (chain.length == 0) {
                throw new SniperException("TLS certificate file " + certPem + " holds no certificate");
            }
            PrivateKey key = privateKey(keyPem, chain[0].getPublicKey().getAlgorithm());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("client", key, password.toCharArray(), chain);
            keyStore = write(ks, "key");
            return keyStore;
        } catch (GeneralSecurityException | IOException e) {
            throw new SniperException("cannot read TLS client certificate " + certPem + " or key " + keyPem
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        delete(trustStore);
        delete(keyStore);
        trustStore = null;
        keyStore = null;
    }

    static Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    static PrivateKey privateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        Matcher m = PRIVATE_KEY.matcher(text);
        if (!m.find()) {
            throw new GeneralSecurityException("no PEM private key found");
        }
        String kind = m.group(1) == null ? "" : m.group(1).trim();
        byte[] der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
        byte[] pkcs8 = switch (kind) {
            case "" -> der;
            case "RSA" -> wrapPkcs1(der);
            case "ENCRYPTED" -> throw new GeneralSecurityException(
                    "encrypted private keys are not supported; decrypt with: openssl pkcs8 -topk8 -nocrypt");
            default -> throw new GeneralSecurityException(
                    "SEC1 'EC PRIVATE KEY' is not supported; convert with: openssl pkcs8 -topk8 -nocrypt");
        };
        GeneralSecurityException last = null;
        for (String alg : new String[] {algorithm, "RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw last;
    }

    /** PKCS#1 RSAPrivateKey -> PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING(pkcs1) }. */
    static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] version = {0x02, 0x01, 0x00};
        byte[] rsaAlgorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01,
                0x01, 0x01, 0x05, 0x00};
        byte[] octets = der(0x04, pkcs1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(version);
        body.writeBytes(rsaAlgorithm);
        body.writeBytes(octets);
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

    private Path write(KeyStore ks, String what) throws IOException, GeneralSecurityException {
        Path file = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                ? Files.createTempFile("query-sniper-" + what + "-", ".p12",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile("query-sniper-" + what + "-", ".p12");
        file.toFile().deleteOnExit();
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
        return file;
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // deleteOnExit is still registered
            }
        }
    }
}
