package io.querysniper.daemon.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Kill records as JSON lines, from `journal --json` output or a spool file; anything else is skipped. */
final class JournalLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JournalLines() {
    }

    /** The records of a spool file (none when it does not exist), each with an id and {@code key}. */
    static List<JsonNode> spool(Path spool, String key) {
        try {
            return Files.exists(spool) ? records(Files.readString(spool, StandardCharsets.UTF_8), key) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** JSON lines with an id and {@code key}; other output (a log line of the CLI, a partial spool line) is skipped. */
    static List<JsonNode> records(String text, String key) {
        List<JsonNode> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("{")) {
                continue;
            }
            try {
                JsonNode n = JSON.readTree(line);
                if (n.has("id") && n.has(key)) {
                    out.add(n);
                }
            } catch (IOException e) {
                // not a record
            }
        }
        return out;
    }
}
