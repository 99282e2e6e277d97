package io.querysniper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;

import java.nio.file.Path;

/** Parses and resolves one HOCON file, turning I/O and syntax errors into problems with a line. */
final class HoconFiles {
    static final String UNRESOLVABLE = "could not resolve substitutions: the HOCON library gave up on this file's"
            + " ${...} references (a key set twice from substitutions?); simplify them";
    private HoconFiles() {
    }

    /**
     * @param fallback where substitutions may also look (reference.conf), or null
     * @param secret   the file holds secrets: the parser's own words are withheld (they can quote a token)
     * @return the resolved config, or null after reporting why it could not be read
     */
    static Config parse(Path path, Config fallback, Problems problems, boolean secret) {
        String file = path.toString();
        String why = Tls.unreadableReason(path);
        if (why != null) {
            problems.add(new ConfigProblem(file, -1, null, null, "cannot read file: " + why));
            return null;
        }
        try {
            Config c = ConfigFactory.parseFile(path.toFile(),
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
            problems.rememberLines(file, c.root());
            return fallback == null ? c.resolve() : c.resolveWith(c.withFallback(fallback));
        } catch (com.typesafe.config.ConfigException e) {
            String message = e instanceof com.typesafe.config.ConfigException.BugOrBroken
                    // Found by ConfigLoaderFuzzTest: the library's own failure (e.g. a key set twice from
                    // ${?VAR} concatenations) dumps the whole resolved file; in a file with secrets that would show
                    // them: say what happened instead.
                    ? UNRESOLVABLE
                    : secret && e instanceof com.typesafe.config.ConfigException.Parse
                    ? "syntax error (details withheld: this file holds secrets)"
                    : withoutOrigin(e);
            problems.add(e.origin(), file, null, null, message);
            return null;
        }
    }

    /** The library's message without the "file: line: " prefix it adds (we print those ourselves). */
    static String withoutOrigin(com.typesafe.config.ConfigException e) {
        String m = e.getMessage();
        if (e.origin() != null) {
            String prefix = e.origin().description() + ": ";
            if (m.startsWith(prefix)) {
                return m.substring(prefix.length());
            }
        }
        return m;
    }
}
