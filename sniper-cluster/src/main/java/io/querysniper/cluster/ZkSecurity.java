package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.zookeeper.data.Id;

import java.util.ArrayList;
import java.util.List;

/**
 * What protects the ZooKeeper connection beyond authentication: TLS, and the identities that may read (and
 * only read) what the cluster writes, so the read-only commands ({@code journal}, {@code cluster status})
 * can run with a login that cannot delete a latch or rewrite the journal.
 *
 * @param tls         TLS to ZooKeeper, or null for plain TCP
 * @param readOnlyIds ACL ids given READ on everything the cluster creates, as {@code scheme:id}:
 *                    {@code digest:reader:<base64 sha1>} (ZooKeeper's
 *                    {@code DigestAuthenticationProvider.generateDigest("reader:password")}) or
 *                    {@code sasl:principal}
 */
public record ZkSecurity(ZkTls tls, List<String> readOnlyIds) {
    public static final ZkSecurity NONE = new ZkSecurity(null, List.of());

    public ZkSecurity {
        readOnlyIds = List.copyOf(readOnlyIds);
        for (String id : readOnlyIds) {
            String problem = idProblem(id);
            if (problem != null) {
                throw new SniperException("read-only ZooKeeper id " + id + ": " + problem);
            }
        }
    }

    /** Why {@code scheme:id} is not a usable read-only ACL id, or null when it is. */
    public static String idProblem(String id) {
        int colon = id.indexOf(':');
        String scheme = colon < 0 ? "" : id.substring(0, colon);
        String rest = colon < 0 ? "" : id.substring(colon + 1);
        if (scheme.equals("digest")) {
            int c = rest.indexOf(':');
            return c <= 0 || c == rest.length() - 1 ? "must be digest:USER:HASH, where HASH is what ZooKeeper's"
                    + " DigestAuthenticationProvider prints for USER:PASSWORD (never the password itself)" : null;
        }
        if (scheme.equals("sasl")) {
            return rest.isEmpty() ? "must be sasl:PRINCIPAL" : null;
        }
        return "must start with digest: or sasl:";
    }

    List<Id> readers() {
        List<Id> out = new ArrayList<>();
        for (String id : readOnlyIds) {
            int colon = id.indexOf(':');
            out.add(new Id(id.substring(0, colon), id.substring(colon + 1)));
        }
        return out;
    }
}
