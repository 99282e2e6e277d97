package io.querysniper.mysql;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.HexFormat;

import io.querysniper.core.SniperException;
import io.querysniper.core.target.PemFiles;

/**
 * Turns PEM files (what MySQL and MariaDB users have) into the PKCS#12 key stores Connector/J reads,
 * with the JDK's own KeyStore API ({@link PemFiles} reads the PEM: PKCS#8 or PKCS#1 keys). The stores are
 * written to owner-only temp files, deleted on {@link #close()}.
 */
final class PemKeyStores implements AutoCloseable {
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
            for (Certificate cert : PemFiles.certificates(caPem)) {
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
            Certificate[] chain = PemFiles.certificates(certPem).toArray(Certificate[]::new);
            if (chain.length == 0) {
                throw new SniperException("TLS certificate file " + certPem + " holds no certificate");
            }
            PrivateKey key = PemFiles.privateKey(keyPem, chain[0].getPublicKey().getAlgorithm());
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
