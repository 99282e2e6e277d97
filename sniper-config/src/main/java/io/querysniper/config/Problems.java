package io.querysniper.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects problems while loading, so all of them are reported at once. */
final class Problems {
    private final List<ConfigProblem> list = new ArrayList<>();
    private final List<String> fileOrder;
    /** Per file, the line each key was written on, for values that come from elsewhere (substitutions). */
    private final Map<String, Map<String, Integer>> writtenAt = new HashMap<>();

    /** @param fileOrder files whose problems come first, in this order (the config file, then credentials) */
    Problems(String... fileOrder) {
        this.fileOrder = List.of(fileOrder);
    }

    void add(ConfigOrigin origin, String fallbackFile, String key, String value, String message) {
        String file = fileOf(origin, fallbackFile);
        int line = origin == null ? -1 : origin.lineNumber();
        if (line < 0 && key != null) {
            // A value substituted from the environment (${?HOME}) has no line of its own: use the line that wrote it.
            line = writtenAt.getOrDefault(file, Map.of()).getOrDefault(key, -1);
        }
        list.add(new ConfigProblem(file, line, key, value, message));
    }

    /** Remembers the line of every key of {@code unresolved} (as parsed, before substitutions) in {@code file}. */
    void rememberLines(String file, ConfigObject unresolved) {
        Map<String, Integer> lines = new HashMap<>();
        walk(unresolved, "", lines);
        writtenAt.put(file, lines);
    }

    private static void walk(ConfigValue v, String path, Map<String, Integer> lines) {
        if (!path.isEmpty() && v.origin() != null && v.origin().lineNumber() > 0) {
            lines.putIfAbsent(path, v.origin().lineNumber());
        }
        if (v instanceof ConfigObject o) {
            for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
                String key = com.typesafe.config.ConfigUtil.joinPath(e.getKey());
                walk(e.getValue(), path.isEmpty() ? key : path + "." + key, lines);
            }
        } else if (v instanceof ConfigList l) {
            for (int i = 0; i < l.size(); i++) {
                walk(l.get(i), path + "[" + i + "]", lines);
            }
        }
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
