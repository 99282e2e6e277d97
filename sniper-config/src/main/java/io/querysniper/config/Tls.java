package io.querysniper.config;

import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Reads a {@code tls { mode, ca, cert, key }} object and checks its files can be read now. */
final class Tls {
    static final Map<String, TlsMode> MODES = RuleParser.choices(TlsMode.values(), TlsMode::configName);

    private Tls() {
    }

    static TlsSettings read(Section t, Path baseDir) {
        TlsMode mode = t.choice("mode", MODES);
        Path ca = readableFile(t, "ca", baseDir);
        Path cert = readableFile(t, "cert", baseDir);
        Path key = readableFile(t, "key", baseDir);
        boolean verifies = mode == TlsMode.VERIFY_CA || mode == TlsMode.VERIFY_IDENTITY;
        if (verifies && !t.has("ca") && ownsAny(t, "mode", "ca")) {
            t.problem("mode", "needs tls.ca, the CA certificate to verify the server with");
        }
        boolean verifiesNothing = mode == TlsMode.PREFERRED || mode == TlsMode.REQUIRED;
        if (verifiesNothing && t.has("ca") && ownsAny(t, "mode", "ca")) {
            // Connector/J encrypts in these modes but never looks at the CA: any certificate is taken, so a
            // man in the middle reads every query. A ca only makes sense with a mode that checks it.
            t.problem(t.owns("ca") ? "ca" : "mode", "is not used to verify the server with tls.mode = "
                    + mode.configName() + " (the server's certificate is not checked at all): set tls.mode ="
                    + " verify-ca or verify-identity");
        }
        if (t.has("cert") && !t.has("key") && ownsAny(t, "cert", "key")) {
            t.problem("cert", "is set without tls.key (mutual TLS needs both)");
        }
        if (t.has("key") && !t.has("cert") && ownsAny(t, "cert", "key")) {
            t.problem("key", "is set without tls.cert (mutual TLS needs both)");
        }
        return mode == null ? null : new TlsSettings(mode, ca, cert, key);
    }

    private static boolean ownsAny(Section t, String... rels) {
        return List.of(rels).stream().anyMatch(t::owns);
    }

    /** A file that exists and can be read, or null (and a problem when it cannot). */
    static Path readableFile(Section s, String rel, Path baseDir) {
        Path p = s.path(rel, baseDir);
        if (p == null) {
            return null;
        }
        String why = unreadableReason(p);
        if (why != null) {
            s.problem(rel, "cannot read file: " + why);
        }
        return p;
    }

    /** Why a file cannot be read, or null when it can. Names the resolved path, never its content. */
    static String unreadableReason(Path p) {
        if (!Files.exists(p)) {
            return "no such file (" + p + ")";
        }
        if (!Files.isRegularFile(p)) {
            return "not a regular file (" + p + ")";
        }
        if (!Files.isReadable(p)) {
            return "permission denied (" + p + ")";
        }
        return null;
    }
}
