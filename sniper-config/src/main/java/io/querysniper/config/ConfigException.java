package io.querysniper.config;

import io.querysniper.core.SniperException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration could not be loaded. Carries every problem found, not just the first, so an
 * operator fixes them all in one round; the message lists them one per line and holds no secret.
 */
public class ConfigException extends SniperException {
    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
