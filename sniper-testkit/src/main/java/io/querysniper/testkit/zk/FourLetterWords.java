package io.querysniper.testkit.zk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** ZooKeeper's four-letter commands (ruok, srvr, mntr) over the client port. */
public final class FourLetterWords {
    private FourLetterWords() {
    }

    /** The server's answer, or null when it does not answer within the timeout. */
    public static String send(String host, int port, String word, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }

    /** True when {@code srvr} reports a mode (leader, follower, standalone): it serves clients. */
    public static boolean serving(String host, int port) {
        String answer = send(host, port, "srvr", 1000);
        return answer != null && answer.contains("Mode: ");
    }

    /** The "Mode:" of {@code srvr} (leader, follower, standalone), or null if not serving. */
    public static String mode(String host, int port) {
        String answer = send(host, port, "srvr", 1000);
        if (answer == null) {
            return null;
        }
        for (String line : answer.split("\n")) {
            if (line.startsWith("Mode: ")) {
                return line.substring(6).trim();
            }
        }
        return null;
    }
}
