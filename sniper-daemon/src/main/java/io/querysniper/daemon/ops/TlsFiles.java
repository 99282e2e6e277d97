package io.querysniper.daemon.ops;

import io.querysniper.core.target.TlsSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of a database's TLS files' contents: a reload that finds the same paths with new contents
 * (a renewed certificate) reconnects that database.
 */
final class TlsFiles {
    private TlsFiles() {
    }

    static String digest(TlsSettings tls) {
        if (tls == null) {
            return "";
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : new Path[] {tls.ca(), tls.cert(), tls.key()}) {
                md.update((byte) 0);
                if (p != null) {
                    try {
                        md.update(Files.readAllBytes(p));
                    } catch (IOException e) {
                        md.update((byte) 1); // unreadable now: the load reported it, or it vanished since
                    }
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
