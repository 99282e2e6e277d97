package io.querysniper.cluster;

import io.querysniper.core.SniperException;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.framework.imps.DefaultACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

import javax.security.auth.login.Configuration;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.URIParameter;
import java.util.ArrayList;
import java.util.List;

/**
 * ZooKeeper authentication for every Curator client of Query Sniper: the long-lived one of a
 * {@link ClusterNode} and the short-lived ones of the read-only commands.
 * <ul>
 * <li>{@code digest}: the client sends "user:password" with {@code addAuthInfo}.</li>
 * <li>{@code sasl}: nothing is sent by us; the ZooKeeper client logs in by itself with the JVM's
 * JAAS configuration ({@code -Djava.security.auth.login.config=FILE}, section "Client" unless
 * {@code zookeeper.sasl.clientconfig} names another). We only check, before connecting, that this
 * login is configured: without it the ZooKeeper client would silently connect unauthenticated.</li>
 * </ul>
 * With any scheme everything created gets {@link ZooDefs.Ids#CREATOR_ALL_ACL}: the server turns
 * the creator into the session's authenticated ids ({@code digest:user:hash} or {@code sasl:principal}).
 */
public final class ZkAuth {
    public static final String DIGEST = "digest";
    public static final String SASL = "sasl";
    /** System property naming the JAAS file; the JDK's standard login configuration reads it. */
    public static final String JAAS_PROPERTY = "java.security.auth.login.config";

    private ZkAuth() {
    }

    /**
     * Sets authentication and the ACL provider on a client builder.
     *
     * @param scheme null (no auth: open ACLs), {@code "sasl"} (bytes must be null), or a scheme
     *               for {@code addAuthInfo} such as {@code "digest"} (bytes "user:password" UTF-8)
     * @throws SniperException for sasl without a usable JAAS "Client" login, or bytes that do
     *                         not fit the scheme
     */
    public static CuratorFrameworkFactory.Builder apply(CuratorFrameworkFactory.Builder builder, String scheme,
                                                        byte[] bytes) {
        return apply(builder, scheme, bytes, List.of());
    }

    /**
     * As {@link #apply(CuratorFrameworkFactory.Builder, String, byte[])}, and with a scheme every znode created
     * also gives READ (and nothing else) to {@code readers}.
     */
    public static CuratorFrameworkFactory.Builder apply(CuratorFrameworkFactory.Builder builder, String scheme,
                                                        byte[] bytes, List<Id> readers) {
        if (scheme == null) {
            if (bytes != null) {
                throw new SniperException("ZooKeeper auth bytes given without a scheme");
            }
            return builder.aclProvider(new DefaultACLProvider());
        }
        if (SASL.equals(scheme)) {
            if (bytes != null) {
                throw new SniperException("ZooKeeper auth sasl takes no credentials: the login comes from the JAAS \"Client\" section");
            }
            requireSaslLogin();
        } else {
            if (bytes == null) {
                throw new SniperException("ZooKeeper auth " + scheme + " needs credentials");
            }
            builder.authorization(scheme, bytes);
        }
        return builder.aclProvider(readers.isEmpty() ? creatorOnly() : creatorAndReaders(readers));
    }

    /**
     * Checks that the ZooKeeper client will log in with SASL: the JAAS property is set, the file
     * can be read and has the login section, and client SASL is not switched off.
     *
     * @throws SniperException saying how to fix it otherwise
     */
    public static void requireSaslLogin() {
        String section = System.getProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, ZKClientConfig.LOGIN_CONTEXT_NAME_KEY_DEFAULT);
        String howTo = " (cluster.auth = sasl: give the JVM a JAAS file with a \"" + section + "\" section, e.g."
                + " QS_JAVA_OPTS=\"-D" + JAAS_PROPERTY + "=/etc/query-sniper/jaas.conf\" bin/query-sniper run ...)";
        if ("false".equalsIgnoreCase(System.getProperty(ZKClientConfig.ENABLE_CLIENT_SASL_KEY, "true"))) {
            throw new SniperException("ZooKeeper client SASL is disabled by -D" + ZKClientConfig.ENABLE_CLIENT_SASL_KEY
                    + "=false" + howTo);
        }
        String value = System.getProperty(JAAS_PROPERTY);
        if (value == null || value.isBlank()) {
            throw new SniperException("the system property " + JAAS_PROPERTY + " is not set" + howTo);
        }
        URI uri = jaasUri(value, howTo);
        Configuration jaas;
        try {
            // Parse this file on its own: the JVM-wide Configuration is cached at first use.
            jaas = Configuration.getInstance("JavaLoginConfig", new URIParameter(uri));
        } catch (NoSuchAlgorithmException | SecurityException | IllegalArgumentException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new SniperException("cannot read the JAAS file " + value + ": " + cause.getMessage() + howTo, e);
        }
        if (jaas.getAppConfigurationEntry(section) == null) {
            throw new SniperException("the JAAS file " + value + " has no \"" + section + "\" section" + howTo);
        }
    }

    /** The JDK accepts a path or a URL, and "=FILE" (a leading '=' replaces other configs). */
    private static URI jaasUri(String value, String howTo) {
        String v = value.startsWith("=") ? value.substring(1) : value;
        if (v.startsWith("file:") || v.contains("://")) {
            try {
                return URI.create(v);
            } catch (IllegalArgumentException e) {
                throw new SniperException("bad " + JAAS_PROPERTY + " URL " + v + howTo, e);
            }
        }
        Path file = Path.of(v);
        if (!Files.isReadable(file)) {
            throw new SniperException("the JAAS file " + v + " (" + JAAS_PROPERTY + ") does not exist or is not readable" + howTo);
        }
        return file.toUri();
    }

    /** Everything we create: all rights for its creator's ids, READ only for the read-only ids. */
    static ACLProvider creatorAndReaders(List<Id> readers) {
        List<ACL> acl = new ArrayList<>(ZooDefs.Ids.CREATOR_ALL_ACL);
        for (Id reader : readers) {
            acl.add(new ACL(ZooDefs.Perms.READ, reader));
        }
        // Not List.copyOf: ZooKeeper asks acl.contains(null), which an immutable List answers with a NPE.
        List<ACL> fixed = java.util.Collections.unmodifiableList(acl);
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return fixed;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return fixed;
            }
        };
    }

    /** Everything we create can be read and changed by its creator's authenticated ids only. */
    static ACLProvider creatorOnly() {
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return ZooDefs.Ids.CREATOR_ALL_ACL;
            }
        };
    }
}
