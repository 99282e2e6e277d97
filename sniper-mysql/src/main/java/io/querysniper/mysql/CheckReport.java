package io.querysniper.mysql;

import java.util.List;
import java.util.Set;

/**
 * What {@link ServerCheck} found on one database, for the {@code check} command's table. Carries no
 * secret.
 *
 * @param database           configured database name
 * @param flavor             server family, or null when it could not connect
 * @param version            {@code VERSION()}, or null
 * @param tlsCipher          negotiated TLS cipher, or null on a plain connection
 * @param privilegesPresent  e.g. PROCESS, SUPER, CONNECTION_ADMIN, mysql.rds_kill
 * @param privilegesMissing  e.g. PROCESS, "SUPER or CONNECTION_ADMIN"
 * @param sessionSource      where sessions are read from, or null
 * @param killMethod         how queries and connections would be killed, or null
 * @param problems           everything wrong, one sentence each; empty when all is well
 * @param warnings           what works but is unsafe (plaintext, unverified TLS, privileges beyond need)
 * @param leastGrants        the grants the login needs on this server, ready to run; empty when not connected
 */
public record CheckReport(
        String database,
        Flavor flavor,
        String version,
        String tlsCipher,
        Set<String> privilegesPresent,
        Set<String> privilegesMissing,
        String sessionSource,
        String killMethod,
        List<String> problems,
        List<String> warnings,
        List<String> leastGrants) {

    public CheckReport {
        privilegesPresent = Set.copyOf(privilegesPresent);
        privilegesMissing = Set.copyOf(privilegesMissing);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
        leastGrants = List.copyOf(leastGrants);
    }

    /** A report without warnings or grants (a check that could not connect). */
    public CheckReport(String database, Flavor flavor, String version, String tlsCipher, Set<String> privilegesPresent,
                       Set<String> privilegesMissing, String sessionSource, String killMethod, List<String> problems) {
        this(database, flavor, version, tlsCipher, privilegesPresent, privilegesMissing, sessionSource, killMethod,
                problems, List.of(), List.of());
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
