package io.querysniper.core.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one PEM reader of every TLS endpoint: PKCS#8 and PKCS#1 keys load to the same key; others are refused. */
class PemFilesTest {
    @TempDir
    Path dir;

    @Test
    void pkcs8AndPkcs1KeysLoadToTheSameKey() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        PrivateKey key = gen.generateKeyPair().getPrivate();
        Path pkcs8 = pem("k8.pem", "PRIVATE KEY", key.getEncoded());
        assertThat(PemFiles.privateKey(pkcs8, "RSA").getEncoded()).isEqualTo(key.getEncoded());

        // PKCS#8 PrivateKeyInfo of RSA ends with the PKCS#1 structure inside an OCTET STRING.
        byte[] pkcs1 = extractPkcs1(key.getEncoded());
        assertThat(PemFiles.wrapPkcs1(pkcs1)).isEqualTo(key.getEncoded());
        Path rsa = pem("k1.pem", "RSA PRIVATE KEY", pkcs1);
        assertThat(PemFiles.privateKey(rsa, "RSA").getEncoded()).isEqualTo(key.getEncoded());
        assertThat(PemFiles.pkcs8Pem(PemFiles.pkcs8(rsa))).startsWith("-----BEGIN PRIVATE KEY-----\n")
                .endsWith("\n-----END PRIVATE KEY-----");
    }

    @Test
    void sec1EncryptedAndMissingKeysAreRefusedWithTheConversion() throws Exception {
        Path ec = pem("ec.pem", "EC PRIVATE KEY", new byte[] {0, 0, 0});
        assertThatThrownBy(() -> PemFiles.privateKey(ec, "EC")).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        Path encrypted = pem("enc.pem", "ENCRYPTED PRIVATE KEY", new byte[] {0, 0, 0});
        assertThatThrownBy(() -> PemFiles.pkcs8(encrypted)).hasMessageContaining("encrypted")
                .hasMessageContaining("openssl pkcs8");
        Path none = Files.writeString(dir.resolve("none.pem"), "not a key\n");
        assertThatThrownBy(() -> PemFiles.pkcs8(none)).hasMessageContaining("no PEM private key");
    }

    private Path pem(String name, String type, byte[] der) throws Exception {
        return Files.writeString(dir.resolve(name), "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n");
    }

    /** SEQUENCE { INTEGER 0, SEQUENCE {rsaEncryption, NULL}, OCTET STRING {pkcs1} }: the OCTET STRING's content. */
    private static byte[] extractPkcs1(byte[] pkcs8) {
        int i = 1;
        i += lengthBytes(pkcs8, i);
        i += 3 + 15; // version + algorithm identifier
        i += 1; // OCTET STRING tag
        int len = length(pkcs8, i);
        i += lengthBytes(pkcs8, i);
        return Arrays.copyOfRange(pkcs8, i, i + len);
    }

    private static int lengthBytes(byte[] der, int at) {
        return (der[at] & 0x80) == 0 ? 1 : 1 + (der[at] & 0x7f);
    }

    private static int length(byte[] der, int at) {
        if ((der[at] & 0x80) == 0) {
            return der[at];
        }
        int n = der[at] & 0x7f;
        int len = 0;
        for (int k = 1; k <= n; k++) {
            len = (len << 8) | (der[at + k] & 0xff);
        }
        return len;
    }
}
