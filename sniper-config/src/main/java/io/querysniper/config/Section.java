package io.querysniper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Typed, validating reads from one config object. A bad value becomes a {@link ConfigProblem}
 * (file, line, full key, value) and the read returns null, so loading goes on and finds the rest.
 *
 * <p>{@code owns} decides which keys this section reports on: a database reads its merged view
 * (its own keys over the defaults) but reports only on keys it sets itself, so a bad default is
 * reported once, under {@code query-sniper.defaults}, not once per database.
 */
final class Section {
    static final String DURATION_MESSAGE = "must be a duration with a unit, such as 500ms, 2s or 1m";
    private static final Pattern BARE_NUMBER = Pattern.compile("\\s*[-+]?[0-9.]+\\s*");

    private final Config config;
    private final String prefix;
    private final ConfigOrigin origin;
    private final String file;
    private final Problems problems;
    private final Predicate<String> owns;
    private final Set<String> secretKeys;

    Section(Config config, String prefix, ConfigOrigin origin, String file, Problems problems,
            Predicate<String> owns, Set<String> secretKeys) {
        this.config = config;
        this.prefix = prefix;
        this.origin = origin;
        this.file = file;
        this.problems = problems;
        this.owns = owns;
        this.secretKeys = secretKeys;
    }

    /** A section for a nested object (which the key check guarantees is an object or absent). */
    Section child(String rel) {
        ConfigValue v = value(rel);
        Config c = v instanceof ConfigObject o ? o.toConfig() : com.typesafe.config.ConfigFactory.empty();
        return new Section(c, key(rel), v == null ? origin : v.origin(), file, problems,
                r -> owns.test(rel + "." + r), secretKeys);
    }

    /** A section for an object found elsewhere (a rule in a list), reporting on all its keys. */
    Section nested(ConfigObject object, String key) {
        return new Section(object.toConfig(), key, object.origin(), file, problems, r -> true, secretKeys);
    }

    String key(String rel) {
        return rel.isEmpty() ? prefix : prefix.isEmpty() ? rel : prefix + "." + rel;
    }

    ConfigOrigin origin() {
        return origin;
    }

    String file() {
        return file;
    }

    Problems problems() {
        return problems;
    }

    boolean owns(String rel) {
        return owns.test(rel);
    }

    boolean has(String rel) {
        return config.hasPath(rel);
    }

    /** The value, or null when absent or written as null. */
    ConfigValue value(String rel) {
        return config.hasPath(rel) ? config.getValue(rel) : null;
    }

    /** Reports a problem on {@code rel} (the section itself when empty) if this section owns it. */
    void problem(String rel, String message) {
        if (!rel.isEmpty() && !owns.test(rel)) {
            return;
        }
        ConfigValue v = rel.isEmpty() ? null : value(rel);
        problems.add(v == null ? origin : v.origin(), file, key(rel), v == null ? null : render(rel, v), message);
    }

    /**
     * Reports a problem about {@code rel} showing {@code shownValue}, whether or not this section owns
     * {@code rel} (for checks across keys, where the caller decides).
     */
    void problem(String rel, String shownValue, String message) {
        ConfigValue v = rel.isEmpty() ? null : value(rel);
        String shown = secretKeys.contains(lastKey(rel)) && shownValue != null ? "****" : shownValue;
        problems.add(v == null ? origin : v.origin(), file, key(rel), shown, message);
    }

    String string(String rel) {
        ConfigValue v = value(rel);
        if (v == null) {
            return null;
        }
        if (v.valueType() == ConfigValueType.OBJECT || v.valueType() == ConfigValueType.LIST) {
            problem(rel, "must be a string");
            return null;
        }
        return String.valueOf(v.unwrapped());
    }

    String requiredString(String rel) {
        if (!has(rel)) {
            problems.add(origin, file, key(rel), null, "is required");
            return null;
        }
        String s = string(rel);
        if (s != null && s.isBlank()) {
            problem(rel, "must not be empty");
            return null;
        }
        return s;
    }

    Boolean bool(String rel) {
        ConfigValue v = value(rel);
        if (v == null) {
            return null;
        }
        try {
            return config.getBoolean(rel);
        } catch (com.typesafe.config.ConfigException e) {
            problem(rel, "must be true or false");
            return null;
        }
    }

    /** A whole number of any size, or null when absent or not a whole number (reported). */
    private BigInteger integer(String rel) {
        ConfigValue v = value(rel);
        if (v == null) {
            return null;
        }
        Object raw = v.unwrapped();
        if (raw instanceof Integer || raw instanceof Long) {
            return BigInteger.valueOf(((Number) raw).longValue());
        }
        // HOCON reads a number too big for a long as a string: keep it, to report it as out of range.
        if (raw instanceof String s) {
            try {
                return new BigInteger(s.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        problem(rel, "must be a whole number");
        return null;
    }

    /** A whole number >= 1; zero and negative counts are errors, never "unlimited". */
    Long positiveWhole(String rel) {
        return positiveWhole(rel, Long.MAX_VALUE);
    }

    /** A whole number from 1 to {@code max}; a bigger one is an error, never wrapped or clamped. */
    Long positiveWhole(String rel, long max) {
        BigInteger n = integer(rel);
        if (n == null) {
            return null;
        }
        if (n.signum() <= 0) {
            problem(rel, "must be greater than zero");
            return null;
        }
        if (n.compareTo(BigInteger.valueOf(max)) > 0) {
            problem(rel, "must be at most " + max);
            return null;
        }
        return n.longValue();
    }

    /** A whole number from 1 to {@link Integer#MAX_VALUE}, for keys held as an int. */
    Integer positiveInt(String rel) {
        Long n = positiveWhole(rel, Integer.MAX_VALUE);
        return n == null ? null : n.intValue();
    }

    /** A whole number from 0 to {@link Long#MAX_VALUE}. */
    Long nonNegativeWhole(String rel) {
        BigInteger n = integer(rel);
        if (n != null && n.signum() < 0) {
            problem(rel, "must not be negative");
            return null;
        }
        if (n != null && n.bitLength() > 63) {
            problem(rel, "must be at most " + Long.MAX_VALUE);
            return null;
        }
        return n == null ? null : n.longValue();
    }

    Long wholeBetween(String rel, long min, long max) {
        BigInteger n = integer(rel);
        if (n != null && (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0)) {
            problem(rel, "must be between " + min + " and " + max);
            return null;
        }
        return n == null ? null : n.longValue();
    }

    Duration duration(String rel) {
        ConfigValue v = value(rel);
        if (v == null) {
            return null;
        }
        // A bare number would silently mean milliseconds: demand a unit.
        if (v.valueType() != ConfigValueType.STRING || BARE_NUMBER.matcher((String) v.unwrapped()).matches()) {
            problem(rel, DURATION_MESSAGE);
            return null;
        }
        try {
            return config.getDuration(rel);
        } catch (com.typesafe.config.ConfigException e) {
            problem(rel, DURATION_MESSAGE);
            return null;
        }
    }

    /** A duration > 0: a zero or negative limit is an error, never "kill everything" or "no limit". */
    Duration positiveDuration(String rel) {
        Duration d = duration(rel);
        if (d != null && (d.isZero() || d.isNegative())) {
            problem(rel, "must be greater than zero");
            return null;
        }
        return d;
    }

    /**
     * A size in bytes of at least {@code min}: a HOCON size ({@code 512M}, {@code 1G}, {@code 65536}); smaller,
     * zero or negative is an error, never clamped.
     */
    Long bytesAtLeast(String rel, long min) {
        ConfigValue v = value(rel);
        if (v == null) {
            return null;
        }
        Long n;
        try {
            n = config.getBytes(rel);
        } catch (com.typesafe.config.ConfigException e) {
            problem(rel, "must be a size in bytes, such as 64k, 512M or 1G");
            return null;
        }
        if (n < min) {
            problem(rel, "must be at least " + min + " bytes");
            return null;
        }
        return n;
    }

    List<String> strings(String rel) {
        ConfigValue v = value(rel);
        if (v == null) {
            return null;
        }
        if (v instanceof ConfigList list) {
            List<String> out = new ArrayList<>();
            for (ConfigValue e : list) {
                if (e.valueType() == ConfigValueType.OBJECT || e.valueType() == ConfigValueType.LIST
                        || e.valueType() == ConfigValueType.NULL) {
                    problem(rel, "must be a list of strings");
                    return null;
                }
                out.add(String.valueOf(e.unwrapped()));
            }
            return out;
        }
        problem(rel, "must be a list of strings");
        return null;
    }

    /** One of the names in {@code choices} (config spelling to value). */
    <E> E choice(String rel, Map<String, E> choices) {
        String s = string(rel);
        if (s == null) {
            return null;
        }
        E e = choices.get(s);
        if (e == null) {
            problem(rel, choiceMessage(s, choices.keySet()));
        }
        return e;
    }

    static String choiceMessage(String written, Collection<String> names) {
        String guess = Names.closest(written, names);
        return "must be one of: " + String.join(", ", names)
                + (guess == null ? "" : " (did you mean " + guess + "?)");
    }

    /** A path, resolved against {@code baseDir} when relative. */
    Path path(String rel, Path baseDir) {
        String s = string(rel);
        if (s == null) {
            return null;
        }
        if (s.isBlank()) {
            problem(rel, "must not be empty");
            return null;
        }
        return baseDir.resolve(s).normalize();
    }

    /** How a value is shown in a problem: as written, or {@code ****} under a secret key. */
    String render(String rel, ConfigValue v) {
        if (secretKeys.contains(lastKey(rel))) {
            return "****";
        }
        return renderPlain(v);
    }

    static String renderPlain(ConfigValue v) {
        if (v.valueType() == ConfigValueType.STRING) {
            return (String) v.unwrapped();
        }
        return v.render(ConfigRenderOptions.concise());
    }

    private static String lastKey(String rel) {
        int dot = rel.lastIndexOf('.');
        return dot < 0 ? rel : rel.substring(dot + 1);
    }
}
