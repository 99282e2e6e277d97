package io.querysniper.core.sql;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Compares with pt-fingerprint (percona-toolkit), run as one process over all cases. Skipped when it is not
 * installed. Known, deliberate differences are normalised away (see docs/fingerprint.md): pt lower-cases
 * identifiers, turns NULL into ?, folds LIMIT m, n to LIMIT ?, and keeps the input's spacing. The cases where pt is
 * wrong are listed in {@link #PT_WRONG} with the reason; the test checks they still disagree and that we never leak.
 */
class FingerprintDifferentialTest {

    /** The first pt-fingerprint on PATH: where {@code .ci/run} looks for it ({@code command -v}) before installing it. */
    private static final Path PT = onPath("pt-fingerprint");

    /** Cases where pt-fingerprint is right: after normalisation both tools must agree. */
    private static final List<String> PT_RIGHT = List.of(
            "select * from t where id = 1",
            "SELECT a, b FROM T WHERE x = 'abc' AND y = \"def\"",
            "select * from t where a in (1, 2, 3)",
            "select * from t where a in ('a', 'b') and b not in (1)",
            "insert into t (a,b) values (1,'x'),(2,'y')",
            "INSERT INTO t VALUES (1, 'x')",
            "replace into t values (1, 'a')",
            "update t set a = 1, b = 'x' where id = 5",
            "delete from t where created < '2020-01-01' limit 100",
            "select count(*) from t group by a order by b desc",
            "select * from t where a = -1",
            "select * from t where a is null",
            "select a from t where b between 1 and 10",
            "select * from t where a = 1 /* comment */",
            "select a from t where b = 1 -- trailing",
            "select * from t where a like 'abc%'",
            "select * from t limit 10",
            "select * from t limit 10, 20",
            "select * from t where a = 0x1f",
            "select * from t where a = 1.5 and b = .5",
            "select /*+ BKA(t) */ a from t where b = 2",
            "select a   from\tt\n where  b = 'multi\nline'",
            "select * from t where a = b'0101'",
            "insert into t values (1, now()), (2, now())",
            "SELECT DISTINCT a FROM t WHERE b > 3 AND c <> 'z' ORDER BY a DESC");

    /** A case pt-fingerprint gets wrong; {@code leaked} is the planted value its output shows, if any. */
    record Wrong(String sql, String reason, String leaked) {
    }

    static final List<Wrong> PT_WRONG = List.of(
            new Wrong("select * from t where a = 'x\\\\' and b = 'hunter2secret'",
                    "pt deletes every \\' before matching quotes, so an escaped backslash ends no string", "secret"),
            new Wrong("select * from t where name = 'John Smithsonian",
                    "truncated text: pt only replaces closed strings and echoes the open one", "smithsonian"),
            new Wrong("select a from t # it's a comment\n where b = 'hunter2secret'",
                    "pt keeps one-line comments that contain a quote; the quote then pairs with the wrong one",
                    "secret"),
            new Wrong("select a from t where b = 'x' -- comment 'y'",
                    "same: a comment holding quotes is kept and its words appear", "comment"),
            new Wrong("select X'4142', x'4f4f'", "pt leaves the X of hex literals: x?", null),
            new Wrong("select _utf8mb4'abc', _latin1'def'",
                    "pt treats digits in introducers as numbers: _utf?m??", null),
            new Wrong("select * from t where a = 0xDEADBEEF",
                    "pt matches hex digits only in lower case and runs before lower-casing: ?deadbeef", "deadbeef"),
            new Wrong("select * from t where a = N'abc'", "pt leaves the N of national strings: n?", null),
            new Wrong("select * from t1 where c2 = 5", "pt turns digits inside identifiers into ?: t?, c?", null),
            new Wrong("select a from t /*!50000 where b = 1 */",
                    "pt keeps versioned comments as comments; we lex their content as SQL", null),
            new Wrong("select * from t where (a, b) in ((1, 2), (3, 4))",
                    "pt collapses only flat IN lists; row lists keep their length", null),
            new Wrong("select 'a' 'b' from t", "adjacent strings are one literal in MySQL: ? not ? ?", null),
            new Wrong("select a from t order by a asc, b desc", "pt drops ASC; we keep what was written", null),
            new Wrong("select 'a', 'it''s' from t", "pt splits a doubled quote into two literals: ??", null),
            new Wrong("select a from t where b = :name", "named placeholders are values for us", null),
            new Wrong("select a from t where j->>'$.x' = 'y'",
                    "pt's number pattern eats the '-' of the JSON operator ->>: j?>>?", null),
            new Wrong("select a from t union all select a from t",
                    "pt folds repeated UNION branches into /*repeat union all*/", null));

    private static List<String> ptRight;
    private static List<String> ptWrong;

    @BeforeAll
    static void runPtFingerprint() throws Exception {
        assumeTrue(PT != null, "pt-fingerprint is not on PATH (percona-toolkit; .ci/run installs it)");
        List<String> all = new ArrayList<>(PT_RIGHT);
        PT_WRONG.forEach(w -> all.add(w.sql()));
        Process process = new ProcessBuilder(PT.toString()).redirectErrorStream(false).start();
        try (OutputStream in = process.getOutputStream()) {
            for (String sql : all) {
                in.write((sql + ";\n").getBytes(StandardCharsets.UTF_8)); // pt reads ";\n"-terminated queries
            }
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        List<String> lines = output.lines().toList();
        assertThat(lines).hasSize(all.size());
        ptRight = lines.subList(0, PT_RIGHT.size());
        ptWrong = lines.subList(PT_RIGHT.size(), lines.size());
    }

    @Test
    void agreesWithPtFingerprintWherePtIsRight() {
        for (int i = 0; i < PT_RIGHT.size(); i++) {
            String sql = PT_RIGHT.get(i);
            assertThat(normalise(Fingerprint.textOf(sql))).as("%s%n ours: %s%n pt:   %s", sql,
                    Fingerprint.textOf(sql), ptRight.get(i)).isEqualTo(normalise(ptRight.get(i)));
        }
    }

    @Test
    void knownDisagreementsStillHoldAndWeNeverLeak() throws IOException {
        for (int i = 0; i < PT_WRONG.size(); i++) {
            Wrong w = PT_WRONG.get(i);
            String ours = Fingerprint.textOf(w.sql());
            String pt = ptWrong.get(i);
            assertThat(normalise(ours)).as("%s (%s)%n ours: %s%n pt:   %s", w.sql(), w.reason(), ours, pt)
                    .isNotEqualTo(normalise(pt));
            if (w.leaked() != null) {
                assertThat(pt.toLowerCase(Locale.ROOT)).as("pt leaks").contains(w.leaked());
                assertThat(ours.toLowerCase(Locale.ROOT)).as("we do not").doesNotContain(w.leaked());
            }
        }
    }

    static Path onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Removes the differences that are conventions, not errors. */
    static String normalise(String fingerprint) {
        String s = fingerprint.toLowerCase(Locale.ROOT).replaceAll("\\bnull\\b", "?");
        s = s.replaceAll("\\s+", " ").replaceAll("\\blimit \\?(?: ?, ?\\?| offset \\?)?", "limit ?");
        return s.replaceAll("\\s", "");
    }
}
