package io.querysniper.core.sql;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plants random secrets (e-mails, card-like numbers, hex tokens, names) in every literal position, in comments and
 * in hints, and checks that none survives: whole, truncated at any point, and that values never change the shape.
 */
class FingerprintPropertyTest {

    private static final int CASES = 3000;
    private static final int FRAGMENT = 6;

    /** Slots: S string, N number, H hex, B bit, I IN list, V VALUES rows, C comment, P hint. */
    private static final String[] TEMPLATES = {
            "select * from users where email = {S} and id = {N} {C}",
            "SELECT {P} name FROM people WHERE card = {N} OR token = {H} OR flags = {B}",
            "insert into accounts (email, name, balance) values {V}",
            "update sessions set token = {S}, ip = {S} where uid in {I} {C}",
            "delete from audit {C} where note like {S} and amount > {N} limit {N}",
            "select a from t where j->>'$.mail' = {S} and b in {I} and c = {H}",
            "select {C} count(*) from orders where customer = {S} /*!50000 and secret = {S} */",
            "replace into kv values ({S}, {N}), ({S}, {H})",
            "SELECT x FROM t WHERE y = {S}{C}",
            "select * from t where (a, b) in (({N}, {S}), ({N}, {S})) and z = {B}",
    };

    private record Planted(String sql, List<String> secrets) {
    }

    @Test
    void plantedSecretsNeverAppear() {
        Random random = new Random(20240611);
        for (int i = 0; i < CASES; i++) {
            Planted p = plant(TEMPLATES[i % TEMPLATES.length], random);
            assertNoLeak(p, Fingerprint.textOf(p.sql()));
            int cut = random.nextInt(p.sql().length() + 1); // processlist text is cut anywhere
            assertNoLeak(p, Fingerprint.textOf(p.sql().substring(0, cut)));
        }
    }

    @Test
    void queriesThatDifferOnlyInValuesShareOneFingerprint() {
        Random random = new Random(7);
        for (int i = 0; i < CASES; i++) {
            String template = TEMPLATES[i % TEMPLATES.length];
            Fingerprint a = Fingerprint.of(plant(template, random).sql());
            Fingerprint b = Fingerprint.of(plant(template, random).sql());
            assertThat(b).as(template).isEqualTo(a);
        }
    }

    @Test
    void differentStatementsGetDifferentFingerprints() {
        Random random = new Random(11);
        List<String> prints = new ArrayList<>();
        for (String template : TEMPLATES) {
            prints.add(Fingerprint.of(plant(template, random).sql()).digest());
        }
        assertThat(prints).doesNotHaveDuplicates();
    }

    private static void assertNoLeak(Planted p, String fingerprint) {
        for (String secret : p.secrets()) {
            for (int i = 0; i + FRAGMENT <= secret.length(); i++) {
                String fragment = secret.substring(i, i + FRAGMENT);
                assertThat(fingerprint).as("sql: %s", p.sql()).doesNotContain(fragment);
            }
        }
    }

    private static Planted plant(String template, Random random) {
        List<String> secrets = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '{' && template.charAt(i + 2) == '}') {
                sql.append(slot(template.charAt(i + 1), random, secrets));
                i += 2;
            } else {
                sql.append(c);
            }
        }
        return new Planted(sql.toString(), secrets);
    }

    private static String slot(char kind, Random r, List<String> secrets) {
        return switch (kind) {
            case 'S' -> string(r, secrets);
            case 'N' -> number(r, secrets);
            case 'H' -> hex(r, secrets);
            case 'B' -> bits(r, secrets);
            case 'I' -> "(" + list(r, secrets, 1 + r.nextInt(6)) + ")";
            case 'V' -> {
                StringBuilder rows = new StringBuilder();
                for (int row = 0, n = 1 + r.nextInt(4); row < n; row++) {
                    rows.append(row == 0 ? "" : ",").append(r.nextBoolean() ? " " : "")
                            .append("(").append(string(r, secrets)).append(", ").append(string(r, secrets))
                            .append(", ").append(number(r, secrets)).append(")");
                }
                yield rows.toString();
            }
            case 'C' -> comment(r, secrets);
            case 'P' -> "/*+ MAX_EXECUTION_TIME(" + number(r, secrets) + ") QB_NAME(" + core(r, secrets) + ") */";
            default -> throw new IllegalArgumentException("slot " + kind);
        };
    }

    private static String list(Random r, List<String> secrets, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : r.nextBoolean() ? ", " : ",");
            b.append(switch (r.nextInt(3)) {
                case 0 -> string(r, secrets);
                case 1 -> number(r, secrets);
                default -> hex(r, secrets);
            });
        }
        return b.toString();
    }

    /** A random run that no template contains, remembered as a secret. */
    private static String core(Random r, List<String> secrets) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder();
        for (int i = 0, n = 8 + r.nextInt(8); i < n; i++) {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        secrets.add(b.toString());
        return b.toString();
    }

    private static String string(Random r, List<String> secrets) {
        String value = switch (r.nextInt(4)) {
            case 0 -> core(r, secrets) + "@example.com";
            case 1 -> "O'" + core(r, secrets) + " \"Jr\"";
            case 2 -> "C:\\" + core(r, secrets) + "\\";
            default -> core(r, secrets) + " -- /* # */ ";
        };
        String prefix = switch (r.nextInt(5)) {
            case 0 -> "_utf8mb4";
            case 1 -> "N";
            case 2 -> "_latin1 ";
            default -> "";
        };
        if (r.nextBoolean() || !prefix.isEmpty()) {
            String escaped = r.nextBoolean() ? value.replace("\\", "\\\\").replace("'", "''")
                    : value.replace("\\", "\\\\").replace("'", "\\'");
            return prefix + "'" + escaped + "'";
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\"\"") + "\"";
    }

    private static String number(Random r, List<String> secrets) {
        StringBuilder digits = new StringBuilder();
        for (int i = 0, n = 8 + r.nextInt(12); i < n; i++) {
            digits.append((char) ('0' + r.nextInt(10)));
        }
        secrets.add(digits.toString());
        return switch (r.nextInt(5)) {
            case 0 -> "-" + digits;
            case 1 -> digits + "." + digits.charAt(0);
            case 2 -> digits + "e" + (r.nextBoolean() ? "-" : "+") + "3";
            case 3 -> "." + digits;
            default -> digits.toString();
        };
    }

    private static String hex(Random r, List<String> secrets) {
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            h.append("0123456789abcdefABCDEF".charAt(r.nextInt(22)));
        }
        secrets.add(h.toString());
        return r.nextBoolean() ? "X'" + h + "'" : "0x" + h;
    }

    private static String bits(Random r, List<String> secrets) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            b.append(r.nextBoolean() ? '1' : '0');
        }
        secrets.add(b.toString());
        return r.nextBoolean() ? "b'" + b + "'" : "0b" + b;
    }

    private static String comment(Random r, List<String> secrets) {
        String secret = core(r, secrets) + " it's";
        return switch (r.nextInt(4)) {
            case 0 -> "/* " + secret + " */";
            case 1 -> "-- " + secret + "\n";
            case 2 -> "# " + secret + "\n";
            default -> "/*+ " + secret + " */";
        };
    }
}
