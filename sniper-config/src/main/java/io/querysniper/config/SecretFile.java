package io.querysniper.config;

import java.nio.file.Path;

/**
 * A file that holds a secret (the credentials file, a {@code password-file}, a TLS private key) and that
 * other users of the host may read or change. {@code run} warns about each; {@code run --strict-permissions}
 * refuses to start.
 *
 * @param file        the file as resolved
 * @param what        what it is, e.g. "credentials file", "TLS key (tls.key)"
 * @param holds       what secret it holds, e.g. "database passwords"
 * @param permissions its POSIX permissions, e.g. {@code rw-r--r--}
 * @param openTo      who besides its owner has access, e.g. "its group and every user"
 */
public record SecretFile(Path file, String what, String holds, String permissions, String openTo) {

    /** The command that fixes it. */
    public String fix() {
        return "chmod 600 " + file;
    }

    /** One line for the log and for {@code check}. */
    public String warning() {
        return "SECURITY WARNING: the " + what + " " + file + " holds " + holds + " and is open to " + openTo
                + " on this host (" + permissions + "); restrict it: " + fix();
    }
}
