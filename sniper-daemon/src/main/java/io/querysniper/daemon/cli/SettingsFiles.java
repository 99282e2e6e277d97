package io.querysniper.daemon.cli;

import io.querysniper.config.ConfigException;
import io.querysniper.config.ConfigProblem;
import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SettingsLoader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Loads the settings for a command, turning every config problem into one stderr line and exit 2. */
public final class SettingsFiles {

    private SettingsFiles() {
    }

    /**
     * Both files, validated together. Commands that never log in to a database ({@code scan --from},
     * {@code cluster status}, {@code journal}) pass a null credentials file: the config is validated alone.
     */
    public static LoadedSettings load(Path config, Path credentials) {
        return load(config, credentials, true);
    }

    /** For {@code journal} and {@code cluster status}: only the credentials file's zookeeper entry is read. */
    public static LoadedSettings loadForZooKeeper(Path config, Path credentials) {
        return load(config, credentials, false);
    }

    private static LoadedSettings load(Path config, Path credentials, boolean databaseLogins) {
        try {
            return databaseLogins ? SettingsLoader.load(config, credentials)
                    : SettingsLoader.loadForZooKeeper(config, credentials);
        } catch (ConfigException e) {
            List<String> lines = new ArrayList<>();
            for (ConfigProblem p : e.problems()) {
                lines.add(p.toString());
            }
            lines.add(e.problems().size() + " problem(s) in the configuration: nothing was started");
            throw new UsageException(lines);
        }
    }
}
