package io.querysniper.daemon.cli;

import io.querysniper.config.LoadedSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code --config} and an optional {@code --credentials}: for the read-only commands that only reach
 * ZooKeeper ({@code journal}, {@code cluster status}), which need the credentials only for digest auth.
 */
public final class ZooKeeperFilesOptions {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The config file.")
    Path config;

    @Option(names = "--credentials", paramLabel = "FILE",
            description = "The credentials file; needed only when cluster.auth = digest.")
    Path credentials;

    /** The config, and of the credentials file only its zookeeper entry; a problem ends the command with exit 2. */
    LoadedSettings load() {
        return SettingsFiles.loadForZooKeeper(config, credentials);
    }
}
