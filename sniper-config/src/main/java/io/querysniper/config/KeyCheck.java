package io.querysniper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the user's file against the shape of reference.conf: every key must be known (a typo must
 * not pass silently), and where reference.conf has an object the user must write one. Returns the
 * user config with misshapen objects removed, so the merged view always has the expected shape.
 */
final class KeyCheck {
    static final String ROOT = "query-sniper";
    /** Keys of a database entry that are not inherited from defaults. */
    static final List<String> DATABASE_ONLY_KEYS = List.of("host", "credentials", "dry-run");
    /** defaults keys a database entry cannot set (they only shape rules). */
    static final List<String> DEFAULTS_ONLY_KEYS = List.of("rule-defaults");

    private final Problems problems;
    private final String file;
    private Config cleaned;

    private KeyCheck(Config user, Problems problems, String file) {
        this.cleaned = user;
        this.problems = problems;
        this.file = file;
    }

    static Config check(Config user, ConfigObject reference, Problems problems, String file) {
        KeyCheck k = new KeyCheck(user, problems, file);
        k.walk(user.root(), reference, "");
        return k.cleaned;
    }

    /** Keys a database entry may set: the defaults' keys, plus its own. */
    static Set<String> databaseKeys(ConfigObject referenceDefaults) {
        Set<String> keys = new LinkedHashSet<>(referenceDefaults.keySet());
        keys.removeAll(DEFAULTS_ONLY_KEYS);
        keys.addAll(DATABASE_ONLY_KEYS);
        return keys;
    }

    private void walk(ConfigObject user, ConfigObject reference, String path) {
        for (String k : user.keySet()) {
            String key = path.isEmpty() ? ConfigUtil.joinPath(k) : path + "." + ConfigUtil.joinPath(k);
            ConfigValue v = user.get(k);
            ConfigValue ref = reference.get(k);
            if (ref == null) {
                problems.add(v.origin(), file, key, null, Names.unknownKeyMessage(k, reference.keySet()));
                continue;
            }
            if (ref.valueType() != ConfigValueType.OBJECT) {
                nullOverDefault(v, ref, key);
                continue;
            }
            if (!(v instanceof ConfigObject obj)) {
                if (v.valueType() != ConfigValueType.NULL) {
                    problems.add(v.origin(), file, key, Section.renderPlain(v), "must be an object");
                }
                cleaned = cleaned.withoutPath(key);
                continue;
            }
            if (key.equals(AlertReader.ROOT)) {
                continue; // sink names are the user's; AlertReader checks each sink's keys by its type
            }
            if (key.equals(ROOT + ".databases")) {
                walkDatabases(obj, (ConfigObject) reference.get("defaults"), key);
            } else {
                walk(obj, (ConfigObject) ref, key);
            }
        }
    }

    private void walkDatabases(ConfigObject databases, ConfigObject referenceDefaults, String path) {
        Set<String> allowed = databaseKeys(referenceDefaults);
        for (String name : databases.keySet()) {
            String key = path + "." + ConfigUtil.joinPath(name);
            ConfigValue v = databases.get(name);
            if (!(v instanceof ConfigObject db)) {
                problems.add(v.origin(), file, key, Section.renderPlain(v), "must be an object");
                cleaned = cleaned.withoutPath(key);
                continue;
            }
            for (String k : db.keySet()) {
                ConfigValue dv = db.get(k);
                if (!allowed.contains(k)) {
                    problems.add(dv.origin(), file, key + "." + ConfigUtil.joinPath(k), null,
                            Names.unknownKeyMessage(k, allowed));
                } else if (referenceDefaults.containsKey(k) && !k.equals("tls")) {
                    nullOverDefault(dv, referenceDefaults.get(k), key + "." + ConfigUtil.joinPath(k));
                } else if (k.equals("tls")) {
                    if (dv instanceof ConfigObject tls) {
                        walk(tls, (ConfigObject) referenceDefaults.get("tls"), key + ".tls");
                    } else {
                        problems.add(dv.origin(), file, key + ".tls", Section.renderPlain(dv), "must be an object");
                        cleaned = cleaned.withoutPath(key + ".tls");
                    }
                }
            }
        }
    }

    /** {@code interval = null} would leave no value at all: say so, and let the default apply. */
    private void nullOverDefault(ConfigValue v, ConfigValue ref, String key) {
        if (v.valueType() == ConfigValueType.NULL && ref.valueType() != ConfigValueType.NULL) {
            problems.add(v.origin(), file, key, "null", "must not be null (leave the key out to use the default)");
            cleaned = cleaned.withoutPath(key);
        }
    }

    /** Unknown keys of an object whose keys are fixed in code (rules, match, when, credentials). */
    static void checkFixed(ConfigObject obj, Set<String> allowed, Section at) {
        for (String k : obj.keySet()) {
            if (!allowed.contains(k)) {
                at.problems().add(obj.get(k).origin(), at.file(), at.key(k), null, Names.unknownKeyMessage(k, allowed));
            }
        }
    }
}
