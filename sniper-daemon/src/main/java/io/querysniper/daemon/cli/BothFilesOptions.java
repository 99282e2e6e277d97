package io.querysniper.daemon.cli;

import io.querysniper.config.LoadedSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --config} and {@code --credentials}, both required: for commands that log in to the databases. */
public final class BothFilesOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The config file.")
    Path config;

    @Option(names = "--credentials", required = true, paramLabel = "FILE", description = "The credentials file.")
    Path credentials;

    /** Both files, validated together; a problem ends the command with exit 2. */
    LoadedSettings load() {
        return SettingsFiles.load(config, credentials);
    }

    Path config() {
        return config;
    }
}
