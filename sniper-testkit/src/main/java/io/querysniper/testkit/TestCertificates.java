package io.querysniper.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway PKI made at test time: a CA, a server certificate (for 127.0.0.1 / localhost unless
 * other names are asked for) and a client certificate, as PEM files. The server key is PKCS#8 ("BEGIN PRIVATE KEY"), the client key
 * PKCS#1 ("BEGIN RSA PRIVATE KEY", what {@code openssl genrsa} traditionally writes), so both PEM
 * shapes are exercised.
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path caCert;
    private final Path serverCert;
    private final Path serverKey;
    private final Path clientCert;
    private final Path clientKey;

    private TestCertificates(Path dir) {
        this.caCert = dir.resolve("ca.pem");
        this.serverCert = dir.resolve("server-cert.pem");
        this.serverKey = dir.resolve("server-key.pem");
        this.clientCert = dir.resolve("client-cert.pem");
        this.clientKey = dir.resolve("client-key.pem");
    }

    /** Generates a fresh CA, a server certificate for 127.0.0.1 and localhost, and a client certificate into {@code dir}. */
    public static TestCertificates generate(Path dir) {
        return generate(dir, "localhost", "127.0.0.1");
    }

    /**
     * Generates a fresh CA, a server certificate and a client certificate into {@code dir}. The server
     * certificate's CN is the first name and its subject alternative names are all of them (IP literals
     * as iPAddress entries, the rest as dNSName), so {@code generate(dir, "db.invalid")} makes a certificate
     * that a client connecting to 127.0.0.1 with host-name verification must refuse.
     */
    public static TestCertificates generate(Path dir, String... serverNames) {
        if (serverNames.length == 0) {
            throw new IllegalArgumentException("a server certificate needs at least one name");
        }
        TestCertificates certs = new TestCertificates(dir);
        try {
            Files.createDirectories(dir);
            KeyPair ca = rsa();
            X500Name caName = new X500Name("CN=Query Sniper Test CA");
            X509Certificate caCert = sign(caName, ca, caName, ca.getPublic(), true, null, null);
            KeyPair server = rsa();
            GeneralName[] sans = new GeneralName[serverNames.length];
            for (int i = 0; i < serverNames.length; i++) {
                sans[i] = new GeneralName(isIpLiteral(serverNames[i]) ? GeneralName.iPAddress : GeneralName.dNSName,
                        serverNames[i]);
            }
            X509Certificate serverCert = sign(caName, ca, new X500Name("CN=" + serverNames[0]), server.getPublic(),
                    false, new GeneralNames(sans), KeyPurposeId.id_kp_serverAuth);
            KeyPair client = rsa();
            X509Certificate clientCert = sign(caName, ca, new X500Name("CN=sniper-client"), client.getPublic(), false,
                    null, KeyPurposeId.id_kp_clientAuth);
            writePem(certs.caCert, caCert);
            writePem(certs.serverCert, serverCert);
            writePem(certs.serverKey, new JcaPKCS8Generator(server.getPrivate(), null));
            writePem(certs.clientCert, clientCert);
            writePem(certs.clientKey, client.getPrivate());
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write test certificates to " + dir, e);
        } catch (GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new IllegalStateException("cannot generate test certificates", e);
        }
    }

    public Path caCert() {
        return caCert;
    }

    public Path serverCert() {
        return serverCert;
    }

    public Path serverKey() {
        return serverKey;
    }

    public Path clientCert() {
        return clientCert;
    }

    public Path clientKey() {
        return clientKey;
    }

    private static boolean isIpLiteral(String name) {
        return name.contains(":") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        return gen.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, KeyPair issuerKeys, X500Name subject,
            java.security.PublicKey subjectKey, boolean ca, GeneralNames san, KeyPurposeId purpose)
            throws GeneralSecurityException, IOException, org.bouncycastle.operator.OperatorCreationException {
        Instant now = Instant.now();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(30))), subject, subjectKey);
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
        if (ca) {
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (san != null) {
            builder.addExtension(Extension.subjectAlternativeName, false, san);
        }
        PrivateKey signingKey = issuerKeys.getPrivate();
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(signingKey);
        return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    }

    private static void writePem(Path file, Object object) throws IOException {
        try (Writer out = Files.newBufferedWriter(file); JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(object);
        }
    }
}
