package io.querysniper.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.querysniper.core.sql.Fingerprint;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FingerprintCommandTest {

    private static List<String> run(byte[] input, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        int exit = new CommandLine(new FingerprintCommand(new ByteArrayInputStream(input), out)).execute(args);
        out.flush();
        assertThat(exit).isZero();
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text.isEmpty() || text.endsWith("\n")).as("every line terminated").isTrue();
        return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
    }

    private static List<String> run(String input, String... args) {
        return run(input.getBytes(StandardCharsets.UTF_8), args);
    }

    @Test
    void printsOneFingerprintPerLine() {
        assertThat(run("SELECT * FROM t WHERE id = 42\r\ninsert into t values (1,'a'),(2,'b')\n\nselect 1"))
                .containsExactly("select * from t where id = ?", "insert into t values(?+)", "", "select ?");
    }

    @Test
    void nullSeparatedInputAllowsNewlinesInQueries() {
        assertThat(run("select a\nfrom t\nwhere b = 'x\ny'\0select 2\0", "--null"))
                .containsExactly("select a from t where b = ?", "select ?");
    }

    @Test
    void jsonCarriesFingerprintAndDigest() throws Exception {
        List<String> lines = run("select * from `we\"ird\\name` where a = 'secret@example.com'\n", "--json");
        assertThat(lines).hasSize(1).noneMatch(l -> l.contains("secret"));
        JsonNode node = new ObjectMapper().readTree(lines.get(0));
        Fingerprint expected = Fingerprint.of("select * from `we\"ird\\name` where a = 'secret@example.com'");
        assertThat(node.get("fingerprint").asText()).isEqualTo(expected.fingerprint());
        assertThat(node.get("digest").asText()).isEqualTo(expected.digest()).hasSize(32);
    }

    @Test
    void invalidUtf8AndBinaryNeverStopIt() {
        byte[] input = {'s', 'e', 'l', 'e', 'c', 't', ' ', (byte) 0xC3, (byte) 0x28, ' ', '\'', (byte) 0xFF, 0, 1,
                '\'', '\n', (byte) 0x80, (byte) 0xFE, '\n', 's', 'e', 'l', 'e', 'c', 't', ' ', '1'};
        List<String> lines = run(input);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(2)).isEqualTo("select ?");
    }

    @Test
    void recordsLongerThanTheBufferAreWhole() {
        String longQuery = "select * from t where a in (" + "1, ".repeat(200_000) + "2)";
        assertThat(run(longQuery + "\n" + longQuery + "\n"))
                .containsExactly("select * from t where a in(?+)", "select * from t where a in(?+)");
    }

    @Test
    void emptyInputPrintsNothing() {
        assertThat(run("")).isEmpty();
    }
}
