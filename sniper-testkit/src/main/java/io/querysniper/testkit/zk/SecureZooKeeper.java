package io.querysniper.testkit.zk;

import io.querysniper.testkit.TestCertificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One standalone ZooKeeper server process with a TLS client port ({@code secureClientPort}, Netty server
 * connection factory) whose certificate comes from {@link TestCertificates} (for 127.0.0.1 and localhost),
 * beside a plain port used only to see that it serves. With {@code needClientAuth} it also demands a client
 * certificate signed by the same CA (mutual TLS).
 * <pre>{@code
 * try (SecureZooKeeper zk = SecureZooKeeper.start(dir, certs, true)) {
 *     connect(zk.secureConnectString());
 * }
 * }</pre>
 */
public final class SecureZooKeeper implements AutoCloseable {
    private final ZooKeeperProcess process;
    private final int securePort;

    private SecureZooKeeper(ZooKeeperProcess process, int securePort) {
        this.process = process;
        this.securePort = securePort;
    }

    /** Starts the server under {@code dir} and waits (60 s) until it serves. */
    public static SecureZooKeeper start(Path dir, TestCertificates certs, boolean needClientAuth) {
        int[] ports = FreePorts.take(2);
        try {
            Path data = dir.resolve("data");
            Files.createDirectories(data);
            // ZooKeeper reads a PEM key store as one file: the key, then its certificate.
            Path keyStore = dir.resolve("server-keystore.pem");
            Files.writeString(keyStore, Files.readString(certs.serverKey()) + "\n" + Files.readString(certs.serverCert()));
            String cfg = "tickTime=500\n"
                    + "dataDir=" + data.toAbsolutePath() + "\n"
                    + "clientPort=" + ports[0] + "\n"
                    + "clientPortAddress=127.0.0.1\n"
                    + "secureClientPort=" + ports[1] + "\n"
                    + "secureClientPortAddress=127.0.0.1\n"
                    + "serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory\n"
                    + "ssl.keyStore.location=" + keyStore.toAbsolutePath() + "\n"
                    + "ssl.keyStore.type=PEM\n"
                    + "ssl.trustStore.location=" + certs.caCert().toAbsolutePath() + "\n"
                    + "ssl.trustStore.type=PEM\n"
                    + "ssl.clientAuth=" + (needClientAuth ? "need" : "none") + "\n"
                    // The server does not check the client's address against its certificate.
                    + "ssl.hostnameVerification=false\n"
                    + "maxSessionTimeout=60000\n"
                    + "admin.enableServer=false\n"
                    + "4lw.commands.whitelist=*\n"
                    + "standaloneEnabled=true\n";
            Files.writeString(dir.resolve("zoo.cfg"), cfg, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ZooKeeperProcess p = new ZooKeeperProcess(1, dir, ports[0], ZooKeeperEnsemble.defaultClasspath());
        p.start();
        if (!p.awaitServing(Duration.ofSeconds(60))) {
            String log = p.log();
            p.stop();
            throw new IllegalStateException("secure ZooKeeper did not start within 60 s; log:\n" + log);
        }
        return new SecureZooKeeper(p, ports[1]);
    }

    /** {@code 127.0.0.1:<secure port>}: TLS only. */
    public String secureConnectString() {
        return "127.0.0.1:" + securePort;
    }

    /** {@code 127.0.0.1:<plain port>}. */
    public String plainConnectString() {
        return process.connectString();
    }

    public String log() {
        return process.log();
    }

    @Override
    public void close() {
        process.stop();
    }
}
