package io.querysniper.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import io.querysniper.core.rules.Rule;
import io.querysniper.core.target.Credentials;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the config file and the credentials file once, into immutable records. Everything is
 * validated before anything is returned, and every problem found is reported at once in a
 * {@link ConfigException}: nothing starts on a bad config, and a bad value is never clamped.
 *
 * <p>Defaults live in {@code reference.conf} only. Relative paths resolve against the folder of the
 * file that names them (data-dir, tls files, spool-dir: the config file; password-file: the
 * credentials file).
 */
public final class SettingsLoader {
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_$]+(\\.[A-Za-z0-9_$]+)?");
    private static final Map<String, CoordinationLossPolicy> LOSS_POLICIES =
            RuleParser.choices(CoordinationLossPolicy.values(), CoordinationLossPolicy::configName);
    private static final Duration MIN_SESSION_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration MAX_SESSION_TIMEOUT = Duration.ofSeconds(60);
    private static final Map<String, String> AUTH_SCHEMES = Map.of("digest", "digest", "sasl", "sasl");

    private SettingsLoader() {
    }

    /**
     * @param credentialsFile null for commands that never log in to a database (cluster status,
     *                        journal): credentials are then neither read nor checked, the result has
     *                        no logins and each database's credentialsName is its explicit setting or null
     * @throws ConfigException listing every problem in both files
     */
    public static LoadedSettings load(Path configFile, Path credentialsFile) {
        return load(configFile, credentialsFile, true);
    }

    /**
     * For the read-only commands ({@code journal}, {@code cluster status}): the credentials file is read for its
     * {@code zookeeper} entry only, so a reader's file needs no database login (a read-only ZooKeeper identity
     * must not come with the password that can kill).
     */
    public static LoadedSettings loadForZooKeeper(Path configFile, Path credentialsFile) {
        return load(configFile, credentialsFile, false);
    }

    private static LoadedSettings load(Path configFile, Path credentialsFile, boolean databaseLogins) {
        Problems problems = credentialsFile == null ? new Problems(configFile.toString())
                : new Problems(configFile.toString(), credentialsFile.toString());
        SecretFiles secrets = new SecretFiles();
        Config reference = reference();
        Config user = HoconFiles.parse(configFile, reference, problems, false);
        Config creds = credentialsFile == null ? null : HoconFiles.parse(credentialsFile, null, problems, true);
        if (user == null) {
            problems.throwIfAny();
        }
        CredentialsFile credentials = creds == null ? null
                : CredentialsFile.read(creds, credentialsFile, problems, secrets);
        String file = configFile.toString();
        Config cleaned = KeyCheck.check(user, reference.root(), problems, file);
        Config root = cleaned.withFallback(reference).getConfig(KeyCheck.ROOT);
        Path configDir = configFile.toAbsolutePath().getParent();
        Section top = new Section(root, KeyCheck.ROOT, root.root().origin(), file, problems, r -> true, Set.of());

        String nodeId = top.string("node-id");
        if (nodeId != null && !Names.SIMPLE.matcher(nodeId).matches()) {
            top.problem("node-id", "must be a simple name ([A-Za-z0-9_.-]+)");
        }
        nodeId = nodeId == null ? hostName() : nodeId;
        Path dataDir = top.path("data-dir", configDir);
        Boolean dryRun = top.bool("dry-run");
        List<String> protectedUsers = top.strings("protected-users");

        Section defaults = top.child("defaults");
        RuleParser.RuleDefaults ruleDefaults = RuleParser.RuleDefaults.read(defaults.child("rule-defaults"));
        DatabaseReader.Common inherited = DatabaseReader.readCommon(defaults, configDir, ruleDefaults, null);

        Map<String, DatabaseSettings> databases = new LinkedHashMap<>();
        Map<String, Credentials> logins = new LinkedHashMap<>();
        Config defaultsConfig = root.getConfig("defaults").withoutPath("rule-defaults");
        ConfigObject dbs = root.getObject("databases");
        List<String> names = new ArrayList<>(dbs.keySet());
        // HOCON objects forget their order: use the order the databases are written in.
        names.sort(Comparator.comparingInt((String n) -> dbs.get(n).origin().lineNumber()).thenComparing(n -> n));
        if (names.isEmpty()) {
            ConfigValue written = cleaned.hasPath(KeyCheck.ROOT + ".databases")
                    ? cleaned.getValue(KeyCheck.ROOT + ".databases") : null;
            problems.add(written == null ? null : written.origin(), file, KeyCheck.ROOT + ".databases", null,
                    "no databases configured");
        }
        for (String name : names) {
            ConfigObject raw = (ConfigObject) dbs.get(name);
            String key = KeyCheck.ROOT + ".databases." + ConfigUtil.joinPath(name);
            Config own = raw.toConfig();
            Section db = new Section(own.withFallback(defaultsConfig), key, raw.origin(), file, problems,
                    own::hasPathOrNull, Set.of());
            if (!Names.SIMPLE.matcher(name).matches()) {
                db.problem("", name, "database name must be a simple identifier ([A-Za-z0-9_.-]+)");
            }
            String host = db.requiredString("host");
            String hostProblem = host == null ? null : Hosts.problem(host);
            if (hostProblem != null) {
                db.problem("host", hostProblem);
                host = null;
            }
            String credentialsName = db.string("credentials");
            Boolean ownDryRun = db.bool("dry-run");
            DatabaseReader.Common common = DatabaseReader.readCommon(db, configDir, ruleDefaults, inherited.rules());
            String entry = credentials == null || !databaseLogins ? credentialsName
                    : findCredentials(db, name, credentialsName, credentials);
            // A global dry-run is a master switch: a database can add dry-run, not take it away.
            boolean dry = Boolean.TRUE.equals(dryRun) || Boolean.TRUE.equals(ownDryRun);
            DatabaseSettings settings = DatabaseReader.build(name, host, entry, dry, protectedUsers, common);
            if (settings == null && problems.isEmpty()) {
                // Safety net: a database is never dropped silently.
                db.problem("", null, "could not be read (a value it needs is missing)");
            }
            if (settings != null) {
                databases.put(name, settings);
                if (credentials != null && entry != null && credentials.entries.containsKey(entry)) {
                    logins.put(name, credentials.entries.get(entry));
                }
            }
        }

        ClusterSettings cluster = readCluster(top.child("cluster"), credentials, configDir);
        JournalSettings journal = readJournal(top.child("journal"), configDir, dataDir, names);
        AlertSettings alerts = readAlerts(cleaned, file, creds, credentialsFile, databases, problems);
        HttpSettings http = HttpReader.read(top.child("http"), configDir, credentials);
        problems.throwIfAny();
        secrets.check(cluster.tlsKey(), "TLS private key (cluster.tls.key)", "the key of the daemon's ZooKeeper"
                + " client certificate");
        for (DatabaseSettings db : databases.values()) {
            if (db.target().tls() != null) {
                secrets.check(db.target().tls().key(), "TLS private key (tls.key of " + db.name() + ")",
                        "the key of the daemon's client certificate");
            }
        }
        List<String> warnings = new ArrayList<>();
        for (SecretFile f : secrets.exposed()) {
            warnings.add(f.warning());
        }

        SniperSettings settings = new SniperSettings(nodeId, dataDir, dryRun, databases, cluster, journal,
                EffectiveConfig.hash(root), EffectiveConfig.render(root, nodeId), http);
        Credentials zookeeper = credentials == null ? null : credentials.entries.get(CredentialsFile.ZOOKEEPER_ENTRY);
        return new LoadedSettings(settings, logins, zookeeper, warnings, secrets.exposed(), alerts,
                credentials == null ? null : credentials.httpToken);
    }

    private static AlertSettings readAlerts(Config cleaned, String file, Config creds, Path credentialsFile,
                                            Map<String, DatabaseSettings> databases, Problems problems) {
        ConfigObject alerts = cleaned.hasPath(AlertReader.ROOT) && cleaned.getValue(AlertReader.ROOT) instanceof ConfigObject o
                ? o : null;
        ConfigObject secrets = null;
        if (creds != null && creds.root().get(AlertReader.CREDENTIALS_ENTRY) != null) {
            ConfigValue v = creds.root().get(AlertReader.CREDENTIALS_ENTRY);
            if (v instanceof ConfigObject o) {
                secrets = o;
            } else {
                problems.add(v.origin(), credentialsFile.toString(), AlertReader.CREDENTIALS_ENTRY, "****",
                        "must be an object: alerts { <sink> { url = \"...\" } }");
            }
        }
        List<String> rules = databases.values().stream()
                .flatMap(d -> d.watch().rules().stream()).map(Rule::name).distinct().toList();
        return AlertReader.read(alerts, file, secrets, credentialsFile == null ? null : credentialsFile.toString(),
                creds != null, databases.keySet(), rules, problems);
    }

    /**
     * Parses a HOCON list of rule objects (the value of a {@code rules} key) with the shipped
     * rule defaults, for tests and for trying rules offline.
     *
     * @throws ConfigException listing every problem
     */
    public static List<Rule> parseRules(String hoconList) {
        Problems problems = new Problems();
        Config c;
        try {
            c = ConfigFactory.parseString("rules = " + hoconList,
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription("rules")).resolve();
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(e.origin(), "rules", null, null, HoconFiles.withoutOrigin(e));
            throw new ConfigException(problems.sorted());
        }
        Section s = new Section(c, "", c.root().origin(), "rules", problems, r -> true, Set.of());
        Config ruleDefaults = reference().getConfig(KeyCheck.ROOT + ".defaults.rule-defaults");
        RuleParser.RuleDefaults d = RuleParser.RuleDefaults.read(
                new Section(ruleDefaults, "rule-defaults", ruleDefaults.root().origin(), "reference.conf",
                        problems, r -> true, Set.of()));
        List<Rule> rules = RuleParser.parse(s, "rules", d);
        problems.throwIfAny();
        return rules;
    }

    /** The entry a database logs in with: its own setting, else its name, else "default". */
    private static String findCredentials(Section db, String name, String explicit, CredentialsFile credentials) {
        List<String> tried = explicit != null ? List.of(explicit) : List.of(name, CredentialsFile.DEFAULT_ENTRY);
        for (String t : tried) {
            if (credentials.written.contains(t)) {
                return t;
            }
        }
        db.problem("credentials", explicit, "no entry in " + credentials.file + " (tried: " + String.join(", ", tried) + ")");
        return null;
    }

    private static ClusterSettings readCluster(Section s, CredentialsFile credentials, Path configDir) {
        String zookeeper = s.string("zookeeper");
        if (zookeeper != null && zookeeper.isBlank()) {
            s.problem("zookeeper", "must not be empty (leave it out to run an embedded ZooKeeper)");
        }
        String namespace = s.string("namespace");
        if (namespace != null && !Names.SIMPLE.matcher(namespace).matches()) {
            s.problem("namespace", "must be a simple name ([A-Za-z0-9_.-]+)");
        }
        Duration sessionTimeout = s.positiveDuration("session-timeout");
        // ZooKeeper grants a session timeout only within the server's bounds (the embedded server's are
        // 1 s to 60 s) and silently changes any other; fencing windows are fractions of it, so refuse
        // what would not be honoured instead of running with a different value.
        if (sessionTimeout != null && (sessionTimeout.compareTo(MIN_SESSION_TIMEOUT) < 0
                || sessionTimeout.compareTo(MAX_SESSION_TIMEOUT) > 0)) {
            s.problem("session-timeout", "must be between 1s and 60s");
            sessionTimeout = null;
        }
        Duration connectionTimeout = s.positiveDuration("connection-timeout");
        CoordinationLossPolicy policy = s.choice("on-coordination-loss", LOSS_POLICIES);
        Duration keepOwnedFor = s.positiveDuration("keep-owned-for");
        String auth = s.choice("auth", AUTH_SCHEMES);
        Long port = s.wholeBetween("embedded-port", 1, 65535);
        if ("digest".equals(auth) && credentials != null
                && !credentials.written.contains(CredentialsFile.ZOOKEEPER_ENTRY)) {
            s.problem("auth", "needs a zookeeper { user, password } entry in " + credentials.file);
        }
        Section tls = s.child("tls");
        Path ca = Tls.readableFile(tls, "ca", configDir);
        Path cert = Tls.readableFile(tls, "cert", configDir);
        Path key = Tls.readableFile(tls, "key", configDir);
        if ((cert != null || key != null) && ca == null) {
            tls.problem(cert != null ? "cert" : "key", "needs cluster.tls.ca, the CA certificate to verify ZooKeeper with");
        }
        if (cert != null && key == null) {
            tls.problem("cert", "is set without cluster.tls.key (mutual TLS needs both)");
        }
        if (key != null && cert == null) {
            tls.problem("key", "is set without cluster.tls.cert (mutual TLS needs both)");
        }
        if (ca != null && zookeeper == null) {
            tls.problem("ca", "needs cluster.zookeeper: the embedded ZooKeeper has no TLS port");
        }
        List<String> readOnlyIds = s.strings("read-only-ids");
        if (readOnlyIds != null) {
            for (String id : readOnlyIds) {
                String problem = readOnlyIdProblem(id);
                if (problem != null) {
                    s.problem("read-only-ids", id, problem);
                }
            }
            if (!readOnlyIds.isEmpty() && auth == null) {
                s.problem("read-only-ids", "needs cluster.auth: without it every znode is readable and writable by all");
            }
        }
        return new ClusterSettings(zookeeper, namespace, sessionTimeout, connectionTimeout, policy, keepOwnedFor,
                auth, port == null ? 0 : port.intValue(), ca, cert, key, readOnlyIds);
    }

    /** Why an ACL id cannot be a read-only id, or null: digest:USER:HASH or sasl:PRINCIPAL. */
    private static String readOnlyIdProblem(String id) {
        if (id.startsWith("digest:")) {
            String rest = id.substring("digest:".length());
            int c = rest.indexOf(':');
            return c > 0 && c < rest.length() - 1 ? null : "must be digest:USER:HASH, HASH being what ZooKeeper's"
                    + " DigestAuthenticationProvider prints for USER:PASSWORD (never the password itself)";
        }
        if (id.startsWith("sasl:")) {
            return id.length() > "sasl:".length() ? null : "must be sasl:PRINCIPAL";
        }
        return "must be digest:USER:HASH or sasl:PRINCIPAL";
    }

    private static JournalSettings readJournal(Section s, Path configDir, Path dataDir, List<String> databases) {
        Boolean enabled = s.bool("enabled");
        Duration retention = s.positiveDuration("retention");
        Long maxRecords = s.positiveWhole("max-records");
        Duration writeTimeout = s.positiveDuration("write-timeout");
        Path spool = s.path("spool-dir", configDir);
        Long spoolMaxSize = s.bytesAtLeast("spool-max-size", JournalSettings.MIN_SPOOL_MAX_SIZE);
        if (spool == null && dataDir != null) {
            spool = dataDir.resolve("journal-spool");
        }
        Section export = s.child("export");
        String exportDatabase = export.string("database");
        if (exportDatabase != null && !databases.contains(exportDatabase)) {
            export.problem("database", "is not a configured database (configured: " + String.join(", ", databases) + ")");
        }
        String table = export.string("table");
        if (table != null && !TABLE_NAME.matcher(table).matches()) {
            export.problem("table", "must be a table name: [A-Za-z0-9_$]+, optionally schema.table");
        }
        return new JournalSettings(Boolean.TRUE.equals(enabled), retention, maxRecords == null ? 0 : maxRecords,
                writeTimeout, spool, exportDatabase, table, spoolMaxSize == null ? 0 : spoolMaxSize);
    }

    static Config reference() {
        return ConfigFactory.parseResources(SettingsLoader.class.getClassLoader(), "reference.conf",
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)).resolve();
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && Names.SIMPLE.matcher(env).matches()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
