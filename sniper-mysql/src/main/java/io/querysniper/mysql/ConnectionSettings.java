package io.querysniper.mysql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;

import com.mysql.cj.jdbc.NonRegisteringDriver;

import io.querysniper.core.target.Credentials;
import io.querysniper.core.target.DatabaseTarget;
import io.querysniper.core.target.TlsMode;
import io.querysniper.core.target.TlsSettings;

/**
 * Connector/J properties for one target: hardened (no LOCAL INFILE, no multi-queries, no Java
 * deserialisation, public key retrieval only over TLS), TLS per {@link TlsMode}, timeouts, and
 * connection attributes ({@code program_name=query-sniper}, {@code qs_node=<node>}) so DBAs see who
 * is connected. Owns the temp key stores made from PEM files: {@link #close()} deletes them.
 */
final class ConnectionSettings implements AutoCloseable {
    private static final NonRegisteringDriver DRIVER = newDriver();
    /** Statements whose column definitions a connection keeps (Connector/J's default: 50). */
    static final int METADATA_CACHE_SIZE = 4;

    private final DatabaseTarget target;
    private final Properties properties = new Properties();
    private final PemKeyStores stores = new PemKeyStores();

    ConnectionSettings(DatabaseTarget target, Credentials credentials, String nodeId) {
        this.target = target;
        Properties p = properties;
        p.setProperty("user", credentials.user());
        p.setProperty("password", credentials.password());
        p.setProperty("connectTimeout", Long.toString(Math.max(1, target.connectTimeout().toMillis())));
        // Client-side guard behind the server-side statement limit (a hung network never answers).
        p.setProperty("socketTimeout", Long.toString(socketTimeout(target).toMillis()));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("allowLoadLocalInfile", "false");
        p.setProperty("allowUrlInLocalInfile", "false");
        p.setProperty("allowMultiQueries", "false");
        p.setProperty("autoDeserialize", "false");
        p.setProperty("autoReconnect", "false");
        p.setProperty("useServerPrepStmts", "false");
        p.setProperty("cacheServerConfiguration", "false");
        p.setProperty("zeroDateTimeBehavior", "CONVERT_TO_NULL");
        // Each look sends the same statement on the same connection, once a second per database: its column
        // definitions are parsed once and skipped unread after that (twelve Field objects and their strings a
        // look), and no clock is read around every packet (only error messages used it).
        p.setProperty("cacheResultSetMetadata", "true");
        // Kept per connection and per SQL text: the re-check before a KILL names its thread, so a storm would
        // fill Connector/J's default 50 entries on every kill connection. A few cover the poll.
        p.setProperty("metadataCacheSize", Integer.toString(METADATA_CACHE_SIZE));
        p.setProperty("maintainTimeStats", "false");
        // A plain 16 KB buffer for what the server sends: Connector/J's default read-ahead stream asks the
        // socket how much is waiting (a FIONREAD system call) before every read, 3% of an idle node's CPU
        // profiled at 1,000 databases; the buffer reads as much as has arrived with the read itself.
        p.setProperty("useReadAheadInput", "false");
        p.setProperty("useUnbufferedInput", "false");
        p.setProperty("characterEncoding", "UTF-8");
        p.setProperty("connectionAttributes", "program_name:query-sniper,qs_node:" + attributeValue(nodeId));
        tls(target.tls() == null ? TlsSettings.PREFERRED : target.tls());
    }

    private void tls(TlsSettings tls) {
        Properties p = properties;
        TlsMode mode = tls.mode();
        p.setProperty("sslMode", switch (mode) {
            case DISABLED -> "DISABLED";
            case PREFERRED -> "PREFERRED";
            case REQUIRED -> "REQUIRED";
            case VERIFY_CA -> "VERIFY_CA";
            case VERIFY_IDENTITY -> "VERIFY_IDENTITY";
        });
        // RSA public key retrieval over plain TCP lets a man in the middle learn the password.
        boolean tlsGuaranteed = mode == TlsMode.REQUIRED || mode == TlsMode.VERIFY_CA || mode == TlsMode.VERIFY_IDENTITY;
        p.setProperty("allowPublicKeyRetrieval", Boolean.toString(tlsGuaranteed));
        if (mode == TlsMode.DISABLED) {
            return;
        }
        if (tls.ca() != null) {
            p.setProperty("trustCertificateKeyStoreUrl", stores.trustStore(tls.ca()).toUri().toString());
            p.setProperty("trustCertificateKeyStoreType", "PKCS12");
            p.setProperty("trustCertificateKeyStorePassword", stores.password());
            p.setProperty("fallbackToSystemTrustStore", "false");
        }
        if (tls.cert() != null && tls.key() != null) {
            p.setProperty("clientCertificateKeyStoreUrl", stores.keyStore(tls.cert(), tls.key()).toUri().toString());
            p.setProperty("clientCertificateKeyStoreType", "PKCS12");
            p.setProperty("clientCertificateKeyStorePassword", stores.password());
            p.setProperty("fallbackToSystemKeyStore", "false");
        }
    }

    DatabaseTarget target() {
        return target;
    }

    /** What an unencrypted connection to this target means and how to fix it (no secret in it). */
    static String plaintextWarning(DatabaseTarget target) {
        TlsMode mode = target.tls() == null ? TlsMode.PREFERRED : target.tls().mode();
        String why = mode == TlsMode.DISABLED ? "tls.mode = disabled"
                : "tls.mode = " + mode.configName() + " and the server offers no TLS";
        return "database '" + target.name() + "' at " + target.host() + ":" + target.port()
                + ": the connection is not encrypted (" + why + "): query text crosses the network in clear;"
                + " set tls { mode = verify-identity, ca = ... }";
    }

    String url() {
        return "jdbc:mysql://" + hostForUrl(target.host()) + ":" + target.port() + "/";
    }

    /** host:port for messages. */
    String address() {
        return target.host() + ":" + target.port();
    }

    /** Opens one physical connection (no pool). */
    Connection connect() throws SQLException {
        Connection c = DRIVER.connect(url(), properties);
        if (c == null) {
            throw new SQLException("Connector/J refused URL " + url());
        }
        return c;
    }

    @Override
    public void close() {
        stores.close();
    }

    static Duration socketTimeout(DatabaseTarget target) {
        return target.statementTimeout().plus(target.connectTimeout()).plusSeconds(1);
    }

    /** Connection attribute values cannot carry the separators ',' and ':'. */
    static String attributeValue(String s) {
        return s == null ? "" : s.replaceAll("[,:\\s]", "_");
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    private static NonRegisteringDriver newDriver() {
        try {
            return new NonRegisteringDriver();
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
