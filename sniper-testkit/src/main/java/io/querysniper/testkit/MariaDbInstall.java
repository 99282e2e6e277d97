package io.querysniper.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every {@link MariaDbServer} of a JVM shares: the binaries, the system tables made once with
 * {@code mariadb-install-db} into a template that each server copies, the TLS certificates, and the file
 * helpers around them. Temp directories made here are removed by a JVM shutdown hook.
 */
final class MariaDbInstall {
    private static final Logger LOG = LoggerFactory.getLogger(MariaDbInstall.class);
    private static final Object LOCK = new Object();
    private static Path template;
    private static TestCertificates certificates;

    private MariaDbInstall() {
    }

    static Path template() {
        synchronized (LOCK) {
            if (template == null) {
                try {
                    Path base = Files.createTempDirectory("qs-mariadb-template-");
                    Path data = base.resolve("data");
                    Process p = new ProcessBuilder(installDb(), "--no-defaults", "--user=root",
                            "--auth-root-authentication-method=normal", "--skip-test-db",
                            "--datadir=" + data, "--innodb-log-file-size=4M", "--innodb-buffer-pool-size=16M")
                            .redirectErrorStream(true)
                            .redirectOutput(base.resolve("install.log").toFile())
                            .start();
                    if (!p.waitFor(Timing.seconds(120).toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                        p.destroyForcibly();
                        throw new IllegalStateException("mariadb-install-db failed:\n" + tail(base.resolve("install.log")));
                    }
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(base), "qs-testkit-template-cleanup"));
                    template = data;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot run mariadb-install-db (is mariadb-server installed?)", e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while running mariadb-install-db", e);
                }
            }
            return template;
        }
    }

    static TestCertificates certificates() {
        synchronized (LOCK) {
            if (certificates == null) {
                try {
                    Path base = Files.createTempDirectory("qs-mariadb-certs-");
                    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(base), "qs-testkit-certs-cleanup"));
                    certificates = TestCertificates.generate(base);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create a temp dir for certificates", e);
                }
            }
            return certificates;
        }
    }

    static String mariadbd() {
        return findBinary("QS_MARIADBD", "/usr/sbin/mariadbd", "/usr/bin/mariadbd", "/usr/local/bin/mariadbd");
    }

    static String installDb() {
        return findBinary("QS_MARIADB_INSTALL_DB", "/usr/bin/mariadb-install-db", "/usr/local/bin/mariadb-install-db",
                "/usr/bin/mysql_install_db");
    }

    static String findBinary(String envOverride, String... candidates) {
        String env = System.getenv(envOverride);
        if (env != null && !env.isBlank()) {
            return env;
        }
        for (String c : candidates) {
            if (Files.isExecutable(Paths.get(c))) {
                return c;
            }
        }
        throw new IllegalStateException("none of " + List.of(candidates) + " exists; install mariadb-server or set "
                + envOverride);
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a leftover temp file must not fail a test
                }
            });
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", root, e.getMessage());
        }
    }

    static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size())) + "\n";
        } catch (IOException e) {
            return "";
        }
    }
}
