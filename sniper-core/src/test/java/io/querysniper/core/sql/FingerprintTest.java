package io.querysniper.core.sql;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class FingerprintTest {

    private static final String ALPHABET = "'\"`\\/*-#!+()?:@,.;xXbBnN_0 \n";

    @Test
    void digestIsTheFirst16BytesOfSha256OfTheUtf8Fingerprint() throws Exception {
        Fingerprint f = Fingerprint.of("SELECT * FROM Café WHERE id = 1");
        assertThat(f.fingerprint()).isEqualTo("select * from Café where id = ?");
        byte[] sha = MessageDigest.getInstance("SHA-256").digest(f.fingerprint().getBytes(StandardCharsets.UTF_8));
        assertThat(f.digest()).isEqualTo(HexFormat.of().formatHex(sha, 0, 16)).matches("[0-9a-f]{32}");
        assertThat(Fingerprint.digestOf("select ?")).isEqualTo(Fingerprint.of("select 1").digest());
    }

    @Test
    void sameShapeSameDigestDifferentShapeDifferentDigest() {
        assertThat(Fingerprint.of("select a from t where id = 1").digest())
                .isEqualTo(Fingerprint.of("SELECT a  FROM t WHERE id=99 -- x").digest())
                .isNotEqualTo(Fingerprint.of("select b from t where id = 1").digest());
    }

    @Test
    void nullAndEmptyAreEmpty() {
        assertThat(Fingerprint.of(null).fingerprint()).isEmpty();
        assertThat(Fingerprint.of("").fingerprint()).isEmpty();
    }

    @Test
    void truncateKeepsTheDigestAndMarksTheCut() {
        Fingerprint f = Fingerprint.of("select aaaaaaaaaa, bbbbbbbbbb, cccccccccc from t");
        Fingerprint cut = f.truncate(20);
        assertThat(cut.fingerprint()).hasSize(20).endsWith(Fingerprint.CUT_MARKER).startsWith("select aaaa");
        assertThat(cut.digest()).isEqualTo(f.digest());
        assertThat(f.truncate(1000)).isSameAs(f);
        assertThat(f.truncate(2).fingerprint()).hasSizeLessThanOrEqualTo(2);
        assertThat(Fingerprint.of("select 😀😀😀😀😀").truncate(11).fingerprint()).isEqualTo("select ...");
    }

    @Test
    void noBackslashEscapesVariant() {
        assertThat(Fingerprint.of("select 'C:\\' , 'x'", false).fingerprint()).isEqualTo("select ?, ?");
    }

    @Test
    void randomBinaryNeverThrowsAndNeverYieldsControlCharacters() {
        Random random = new Random(42);
        for (int i = 0; i < 3000; i++) {
            char[] chars = new char[random.nextInt(200)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = random.nextInt(4) == 0 ? (char) random.nextInt(0x10000)
                        : ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            String fp = Fingerprint.textOf(new String(chars));
            assertThat(fp.chars().noneMatch(c -> c < 0x20 || c == 0x2028 || c == 0x2029)).as(fp).isTrue();
        }
    }

    @Test
    void megabyteInputsOfEveryShapeFinish() {
        int mb = 1 << 20;
        String[] inputs = {
                "select * from t where a in (" + "1,".repeat(mb / 2) + "2)",
                "insert into t values " + "(1,'a'),".repeat(mb / 8) + "(2,'b')",
                "select '" + "x".repeat(mb),
                "select " + "(".repeat(mb) + "1" + ")".repeat(mb),
                "select /*" + "*".repeat(mb),
                "select " + "a".repeat(mb),
                "select " + "- ".repeat(mb / 2) + "1",
                "select " + "'a' ".repeat(mb / 4),
                "select " + "`".repeat(mb),
        };
        for (String input : inputs) {
            String fp = Fingerprint.textOf(input);
            assertThat(fp).doesNotContain("xxxx").doesNotContain("'");
        }
        assertThat(Fingerprint.textOf(inputs[0])).isEqualTo("select * from t where a in(?+)");
        assertThat(Fingerprint.textOf(inputs[1])).isEqualTo("insert into t values(?+)");
    }
}
