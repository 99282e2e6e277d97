package io.querysniper.daemon.cli;

import io.querysniper.core.SniperException;

import java.util.List;

/** Bad configuration or usage found by a command: every line is printed, the exit code is 2. */
public final class UsageException extends SniperException {
    private final List<String> lines;

    public UsageException(List<String> lines) {
        super(String.join("; ", lines));
        this.lines = List.copyOf(lines);
    }

    public UsageException(String line) {
        this(List.of(line));
    }

    public List<String> lines() {
        return lines;
    }
}
