package io.querysniper.core.target;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as operators have them, read with the JDK alone (no Bouncy Castle, no openssl), for every TLS
 * client and server of the daemon (MySQL, ZooKeeper, the HTTP endpoint). Private keys may be PKCS#8
 * ({@code BEGIN PRIVATE KEY}: RSA, EC or EdDSA) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, what
 * {@code openssl genrsa} writes); encrypted and SEC1 keys are refused with the command that converts them.
 * Errors name the file, never its content.
 */
public final class PemFiles {
    private static final Pattern PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END \\1?PRIVATE KEY-----");
    private static final String CONVERT = "convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8";

    private PemFiles() {
    }

    /** Every certificate of the file, in order (a chain: leaf first). */
    public static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
        }
    }

    /** The file's private key as PKCS#8 DER (a PKCS#1 RSA key rewrapped). */
    public static byte[] pkcs8(Path pem) throws IOException, GeneralSecurityException {
        Matcher m = PRIVATE_KEY.matcher(Files.readString(pem, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new GeneralSecurityException("no PEM private key found (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)");
        }
        String kind = m.group(1) == null ? "" : m.group(1).trim();
        byte[] der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
        return switch (kind) {
            case "" -> der;
            case "RSA" -> wrapPkcs1(der);
            case "ENCRYPTED" -> throw new GeneralSecurityException("encrypted private keys are not supported; " + CONVERT);
            default -> throw new GeneralSecurityException("SEC1 'EC PRIVATE KEY' is not supported; " + CONVERT);
        };
    }

    /** The file's private key; {@code algorithm} (the certificate's) is tried first, then RSA, EC and EdDSA. */
    public static PrivateKey privateKey(Path pem, String algorithm) throws IOException, GeneralSecurityException {
        byte[] pkcs8 = pkcs8(pem);
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

    /** PKCS#8 DER as a {@code BEGIN PRIVATE KEY} PEM block. */
    public static String pkcs8Pem(byte[] pkcs8) {
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
