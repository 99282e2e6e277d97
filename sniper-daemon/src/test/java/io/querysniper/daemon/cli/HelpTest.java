package io.querysniper.daemon.cli;

import io.querysniper.daemon.CliRun;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HelpTest {

    @ParameterizedTest
    @ValueSource(strings = {"", "run", "check", "scan", "fingerprint", "cluster", "cluster status", "journal", "alert-test"})
    void everyCommandHasHelp(String command) {
        String[] words = command.isEmpty() ? new String[0] : command.split(" ");
        String[] args = java.util.Arrays.copyOf(words, words.length + 1);
        args[words.length] = "--help";
        CliRun r = CliRun.of(args);
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: query-sniper" + (command.isEmpty() ? "" : " " + command));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void versionComesFromTheManifest() {
        CliRun r = CliRun.of("--version");
        assertThat(r.code()).isZero();
        // Run from classes there is no manifest: "dev". The packaged jar says its version (ProcessIT).
        assertThat(r.out()).startsWith("query-sniper ");
    }

    @Test
    void noCommandIsBadUsage() {
        CliRun r = CliRun.of();
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required subcommand").contains("--help");
    }

    @Test
    void unknownOptionIsBadUsage() {
        CliRun r = CliRun.of("run", "--config", "a.conf", "--credentials", "b.conf", "--bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--bogus'").doesNotContain("\tat ");
    }

    @Test
    void missingRequiredOptionIsBadUsage() {
        CliRun r = CliRun.of("check", "--config", "a.conf");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--credentials=FILE'");
    }

    @Test
    void badLogFormatIsBadUsage() {
        CliRun r = CliRun.of("run", "--config", "a.conf", "--credentials", "b.conf", "--log-format", "xml");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("expected text or json, got 'xml'");
    }
}
