package io.querysniper.daemon.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.querysniper.config.ConfigException;
import io.querysniper.config.ConfigProblem;
import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SettingsLoader;
import io.querysniper.core.SniperException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Loads the settings for a command, turning every config problem into one stderr line and exit 2. */
public final class SettingsFiles {

    private SettingsFiles() {
    }

    /** Both files, validated together. */
    public static LoadedSettings load(Path config, Path credentials) {
        try {
            return SettingsLoader.load(config, credentials);
        } catch (ConfigException e) {
            List<String> lines = new ArrayList<>();
            for (ConfigProblem p : e.problems()) {
                lines.add(p.toString());
            }
            lines.add(e.problems().size() + " problem(s) in the configuration: nothing was started");
            throw new UsageException(lines);
        }
    }

    /**
     * For commands that never log in to a database ({@code scan --from}, {@code cluster status},
     * {@code journal}): validates the config file alone. The loader validates both files together,
     * so a stand-in credentials file that names every entry the config refers to is used, with
     * empty passwords; it never reaches a server.
     */
    public static LoadedSettings loadConfigOnly(Path config, Path credentials) {
        if (credentials != null) {
            return load(config, credentials);
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("query-sniper-");
            Path standIn = dir.resolve("no-credentials.conf");
            StringBuilder sb = new StringBuilder();
            for (String name : credentialNames(config)) {
                sb.append('"').append(name.replace("\"", "")).append("\" { user = \"-\", password = \"\" }\n");
            }
            Files.writeString(standIn, sb.toString());
            Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rw-------"));
            try {
                return load(config, standIn);
            } catch (UsageException e) {
                // Problems of the stand-in itself would only confuse: keep those about the config.
                List<String> lines = e.lines().stream().filter(l -> !l.contains(standIn.toString())).toList();
                throw new UsageException(lines);
            }
        } catch (IOException e) {
            throw new SniperException("cannot prepare to read " + config + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** Every credentials entry the config may refer to: default, zookeeper, database names, explicit ones. */
    static Set<String> credentialNames(Path config) {
        Set<String> names = new LinkedHashSet<>(List.of("default", "zookeeper"));
        Config c;
        try {
            c = ConfigFactory.parseFile(config.toFile()).resolve();
        } catch (RuntimeException e) {
            return names; // the real load reports the syntax error with its line
        }
        if (c.hasPath("query-sniper.databases")
                && c.getValue("query-sniper.databases").valueType() == ConfigValueType.OBJECT) {
            ConfigObject dbs = c.getObject("query-sniper.databases");
            for (Map.Entry<String, ConfigValue> db : dbs.entrySet()) {
                names.add(db.getKey());
                if (db.getValue() instanceof ConfigObject o && o.get("credentials") != null
                        && o.get("credentials").valueType() == ConfigValueType.STRING) {
                    names.add((String) o.get("credentials").unwrapped());
                }
            }
        }
        return names;
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // a temp dir left behind holds no secret
        }
    }
}
