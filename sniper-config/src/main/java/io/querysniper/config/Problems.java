package io.querysniper.config;

import com.typesafe.config.ConfigOrigin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects problems while loading, so all of them are reported at once. */
final class Problems {
    private final List<ConfigProblem> list = new ArrayList<>();
    private final List<String> fileOrder;

    /** @param fileOrder files whose problems come first, in this order (the config file, then credentials) */
    Problems(String... fileOrder) {
        this.fileOrder = List.of(fileOrder);
    }

    void add(ConfigOrigin origin, String fallbackFile, String key, String value, String message) {
        list.add(new ConfigProblem(fileOf(origin, fallbackFile), origin == null ? -1 : origin.lineNumber(),
                key, value, message));
    }

    void add(ConfigProblem problem) {
        list.add(problem);
    }

    int count() {
        return list.size();
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    /** Problems in file order (the files in the order they were first seen), then line order. */
    List<ConfigProblem> sorted() {
        List<String> files = new ArrayList<>(fileOrder);
        list.stream().map(ConfigProblem::file).distinct().filter(f -> !files.contains(f)).forEach(files::add);
        List<ConfigProblem> out = new ArrayList<>(list);
        out.sort(Comparator.comparingInt((ConfigProblem p) -> files.indexOf(p.file()))
                .thenComparingInt(p -> Math.max(p.line(), 0)));
        return out;
    }

    void throwIfAny() {
        if (!list.isEmpty()) {
            throw new ConfigException(sorted());
        }
    }

    private static String fileOf(ConfigOrigin origin, String fallbackFile) {
        if (origin == null) {
            return fallbackFile;
        }
        if (origin.filename() != null) {
            return origin.filename();
        }
        if (origin.resource() != null) {
            return origin.resource();
        }
        return fallbackFile;
    }
}
