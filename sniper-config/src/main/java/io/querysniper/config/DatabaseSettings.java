package io.querysniper.config;

import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.watch.WatchSpec;

/**
 * One entry under {@code query-sniper.databases}, defaults applied.
 *
 * @param credentialsName the credentials file entry its login came from
 */
public record DatabaseSettings(String name, DatabaseTarget target, String credentialsName, WatchSpec watch) {
}
