package io.querysniper.daemon.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/** The external tools the deploy kit is checked with: found on PATH, or the test is skipped saying which. */
final class Tools {
    private Tools() {
    }

    /** {@code docker-compose} (Debian's 1.29) or {@code docker compose} (the plugin). */
    record ComposeCommand(List<String> base) {
        String[] with(String... args) {
            List<String> all = new ArrayList<>(base);
            all.addAll(List.of(args));
            return all.toArray(String[]::new);
        }
    }

    static ComposeCommand compose() {
        String classic = which("docker-compose");
        if (classic != null) {
            return new ComposeCommand(List.of(classic));
        }
        String docker = which("docker");
        Assumptions.assumeTrue(docker != null && exitCode(docker, "compose", "version") == 0,
                "neither docker-compose nor the docker compose plugin is installed (.ci/run installs docker-compose)");
        return new ComposeCommand(List.of(docker, "compose"));
    }

    static String require(String tool) {
        String path = which(tool);
        Assumptions.assumeTrue(path != null, tool + " is not installed (.ci/run installs it)");
        return path;
    }

    static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    /** Runs the command in {@code dir}; asserts exit 0 (its output in the message); returns stdout. */
    static String run(Path dir, String... command) {
        Result r = exec(dir, command);
        assertThat(r.code()).as("%s exited %d:%n%s", String.join(" ", command), r.code(), r.stderr()).isZero();
        return r.stdout();
    }

    private static int exitCode(String... command) {
        return exec(Path.of("."), command).code();
    }

    record Result(int code, String stdout, String stderr) {
    }

    private static Result exec(Path dir, String... command) {
        try {
            Path out = Files.createTempFile("qs-tool-", ".out");
            Path err = Files.createTempFile("qs-tool-", ".err");
            try {
                Process p = new ProcessBuilder(command).directory(dir.toFile())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in 120 s");
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
