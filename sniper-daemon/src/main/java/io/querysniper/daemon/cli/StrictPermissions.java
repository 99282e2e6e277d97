package io.querysniper.daemon.cli;

import io.querysniper.config.LoadedSettings;
import io.querysniper.config.SecretFile;

import java.util.ArrayList;
import java.util.List;

/** {@code run --strict-permissions}: a secret file others can access stops the start, with the fix for each. */
final class StrictPermissions {
    private StrictPermissions() {
    }

    /** @throws UsageException (exit 2, nothing started) naming every exposed file and its {@code chmod 600} */
    static void check(LoadedSettings loaded) {
        if (loaded.exposedSecretFiles().isEmpty()) {
            return;
        }
        List<String> lines = new ArrayList<>();
        for (SecretFile f : loaded.exposedSecretFiles()) {
            lines.add("the " + f.what() + " " + f.file() + " is open to " + f.openTo() + " (" + f.permissions()
                    + "): " + f.fix());
        }
        lines.add(loaded.exposedSecretFiles().size() + " secret file(s) others can access; --strict-permissions:"
                + " nothing was started");
        throw new UsageException(lines);
    }
}
