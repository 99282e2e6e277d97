package io.querysniper.daemon.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless chromium, started quiet: no sandbox (tests may run as root), no GPU, and none of the
 * background traffic (QUIC, component updates, sync, first-run) a closed network would not allow; each run
 * gets a fresh profile.
 */
final class Chromium {
    static final List<String> QUIET = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync");

    record Result(int code, String output) {
    }

    private Chromium() {
    }

    /** {@code QS_CHROMIUM}, else chromium or chromium-browser on PATH; null when none. */
    static Path find() {
        String env = System.getenv("QS_CHROMIUM");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String path = System.getenv("PATH");
        for (String d : path == null ? new String[0] : path.split(File.pathSeparator)) {
            for (String name : new String[] {"chromium", "chromium-browser"}) {
                Path p = Path.of(d, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    static Result run(Path chromium, Path profile, Duration timeout, String... args) throws IOException, InterruptedException {
        Files.createDirectories(profile);
        List<String> cmd = new ArrayList<>();
        cmd.add(chromium.toString());
        cmd.addAll(QUIET);
        cmd.add("--user-data-dir=" + profile);
        cmd.addAll(List.of(args));
        Path out = profile.resolve("output.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return new Result(-1, "chromium did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }
}
