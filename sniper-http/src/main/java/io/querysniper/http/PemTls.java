package io.querysniper.http;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An {@link SSLContext} for the HTTP server from PEM files, with the JDK alone: the certificate chain
 * ({@code BEGIN CERTIFICATE}, leaf first) and an unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}: RSA,
 * EC or EdDSA; {@code openssl pkcs8 -topk8 -nocrypt} converts other forms).
 */
public final class PemTls {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemTls() {
    }

    /** @throws HttpServerException naming the file (never its content) when it cannot be used */
    public static SSLContext serverContext(Path certPem, Path keyPem) {
        try {
            Certificate[] chain;
            try (InputStream in = Files.newInputStream(certPem)) {
                chain = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in)
                        .toArray(Certificate[]::new);
            }
            if (chain.length == 0) {
                throw new HttpServerException("http.tls.cert " + certPem + " holds no certificate", null);
            }
            Matcher m = PKCS8.matcher(Files.readString(keyPem, StandardCharsets.US_ASCII));
            if (!m.find()) {
                throw new HttpServerException("http.tls.key " + keyPem + " holds no unencrypted PKCS#8 key"
                        + " (BEGIN PRIVATE KEY; convert with openssl pkcs8 -topk8 -nocrypt)", null);
            }
            byte[] der = Base64.getMimeDecoder().decode(m.group(1));
            PrivateKey key = KeyFactory.getInstance(chain[0].getPublicKey().getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            char[] pass = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("http", key, pass, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pass);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new HttpServerException("http.tls.cert " + certPem + " / http.tls.key " + keyPem
                    + ": cannot be used: " + e.getClass().getSimpleName(), e);
        }
    }
}
