package io.querysniper.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks every file that holds a secret for access by anyone but its owner (any group or other bit: a
 * reader learns the secret, a writer can swap a key or a password for one of theirs). Each file is
 * reported once, however many databases name it.
 */
final class SecretFiles {
    private final List<SecretFile> exposed = new ArrayList<>();
    private final Set<Path> seen = new HashSet<>();

    void check(Path file, String what, String holds) {
        if (file == null || !seen.add(file.toAbsolutePath().normalize())) {
            return;
        }
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return; // not a POSIX file system, or not readable (reported elsewhere): nothing to say
        }
        boolean group = perms.stream().anyMatch(p -> p.name().startsWith("GROUP_"));
        boolean others = perms.stream().anyMatch(p -> p.name().startsWith("OTHERS_"));
        if (group || others) {
            String who = group && others ? "its group and every user" : group ? "its group" : "every user";
            exposed.add(new SecretFile(file, what, holds, PosixFilePermissions.toString(perms), who));
        }
    }

    List<SecretFile> exposed() {
        return List.copyOf(exposed);
    }
}
