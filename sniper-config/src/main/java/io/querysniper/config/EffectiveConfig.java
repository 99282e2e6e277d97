package io.querysniper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;

/**
 * The effective config (the user's file over reference.conf) rendered for the log and hashed for
 * the cluster. It comes from the config file only, which holds no secret by design (any key that
 * could carry one is unknown there, and an unknown key stops the load).
 */
final class EffectiveConfig {
    /**
     * Keys that differ from node to node by design: left out of the hash. The HTTP server's address and
     * certificate are the host's (two nodes on one host listen on two ports).
     */
    static final List<String> NODE_LOCAL_KEYS = List.of("node-id", "data-dir", "journal.spool-dir", "http");

    private EffectiveConfig() {
    }

    static String render(Config root, String nodeId) {
        Config withNode = root.withValue("node-id", ConfigValueFactory.fromAnyRef(nodeId));
        return ConfigFactory.empty().withValue(KeyCheck.ROOT, withNode.root()).root()
                .render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false)
                        .setJson(false).setFormatted(true));
    }

    /** SHA-256 (hex) of a canonical rendering: keys sorted, so equal configs hash equal. */
    static String hash(Config root) {
        Config shared = root;
        for (String k : NODE_LOCAL_KEYS) {
            shared = shared.withoutPath(k);
        }
        StringBuilder sb = new StringBuilder();
        canonical(shared.root(), sb);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void canonical(ConfigValue v, StringBuilder sb) {
        if (v instanceof ConfigObject o) {
            sb.append('{');
            for (String k : new TreeSet<>(o.keySet())) {
                sb.append(ConfigValueFactory.fromAnyRef(k).render(ConfigRenderOptions.concise())).append(':');
                canonical(o.get(k), sb);
                sb.append(',');
            }
            sb.append('}');
        } else if (v instanceof ConfigList l) {
            sb.append('[');
            for (ConfigValue e : l) {
                canonical(e, sb);
                sb.append(',');
            }
            sb.append(']');
        } else {
            sb.append(v.render(ConfigRenderOptions.concise()));
        }
    }
}
