package io.querysniper.daemon.cli;

import io.querysniper.core.sql.Fingerprint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code query-sniper fingerprint}: reads queries from stdin (one per line, or NUL-separated with {@code --null})
 * and prints one line per query: its fingerprint, or with {@code --json} {@code {"fingerprint":..,"digest":..}}.
 *
 * <p>Built for throughput: raw byte buffers, no logging initialisation, one output buffer. Input is decoded as UTF-8
 * with malformed bytes replaced, so binary input never stops it. Every input record yields exactly one output line
 * (an empty line for an empty record) so outputs line up with inputs.
 */
@Command(name = "fingerprint", mixinStandardHelpOptions = true,
        description = {"Prints the PII-free fingerprint of each query read from stdin.",
                "Input: one query per line, or NUL-separated with --null. Output: one line per query."})
public final class FingerprintCommand implements Callable<Integer> {

    private static final int CHUNK = 1 << 16;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Option(names = "--null", description = "Queries are separated by NUL bytes (for queries containing newlines).")
    boolean nullSeparated;

    @Option(names = "--json", description = "Print {\"fingerprint\":...,\"digest\":...} per query.")
    boolean json;

    private final InputStream in;
    private final PrintStream out;

    /** Reads System.in, writes System.out. */
    public FingerprintCommand() {
        this(System.in, System.out);
    }

    /** For tests and embedding. */
    public FingerprintCommand(InputStream in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() {
        try {
            run();
            return 0;
        } catch (IOException e) {
            System.err.println("fingerprint: " + e.getMessage());
            return 1;
        } catch (UncheckedIOException e) {
            System.err.println("fingerprint: " + e.getCause().getMessage());
            return 1;
        }
    }

    private void run() throws IOException {
        byte separator = nullSeparated ? (byte) 0 : (byte) '\n';
        Output sink = new Output(out);
        byte[] buf = new byte[CHUNK];
        int start = 0;
        int limit = 0;
        int scanned = 0;
        while (true) {
            int sep = indexOf(buf, separator, scanned, limit);
            if (sep >= 0) {
                emit(sink, buf, start, sep);
                start = sep + 1;
                scanned = start;
                continue;
            }
            scanned = limit;
            if (start > 0) { // keep the partial record at the front
                System.arraycopy(buf, start, buf, 0, limit - start);
                limit -= start;
                scanned -= start;
                start = 0;
            }
            if (limit == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2); // one record longer than the buffer
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                break;
            }
            limit += n;
        }
        if (limit > start) {
            emit(sink, buf, start, limit);
        }
        sink.flush();
    }

    private void emit(Output sink, byte[] buf, int start, int end) {
        if (!nullSeparated && end > start && buf[end - 1] == '\r') {
            end--;
        }
        String sql = new String(buf, start, end - start, StandardCharsets.UTF_8); // malformed input -> U+FFFD
        if (json) {
            Fingerprint f = Fingerprint.of(sql);
            sink.ascii("{\"fingerprint\":\"");
            sink.jsonString(f.fingerprint());
            sink.ascii("\",\"digest\":\"");
            sink.ascii(f.digest());
            sink.ascii("\"}\n");
        } else {
            sink.utf8(Fingerprint.textOf(sql));
            sink.ascii("\n");
        }
    }

    private static int indexOf(byte[] buf, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** A byte buffer in front of the output stream; PrintStream's own buffering flushes far too often. */
    private static final class Output {
        private final PrintStream target;
        private byte[] buf = new byte[CHUNK];
        private int size;

        Output(PrintStream target) {
            this.target = target;
        }

        void ascii(String s) {
            ensure(s.length());
            for (int i = 0; i < s.length(); i++) {
                buf[size++] = (byte) s.charAt(i);
            }
        }

        void utf8(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buf, size, bytes.length);
            size += bytes.length;
        }

        /** JSON string body: quote, backslash and control characters escaped; the rest as UTF-8. */
        void jsonString(String s) {
            int plain = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\' || c < 0x20) {
                    utf8(s.substring(plain, i));
                    ensure(6);
                    buf[size++] = '\\';
                    if (c == '"' || c == '\\') {
                        buf[size++] = (byte) c;
                    } else {
                        buf[size++] = 'u';
                        buf[size++] = '0';
                        buf[size++] = '0';
                        buf[size++] = HEX[c >> 4];
                        buf[size++] = HEX[c & 0xF];
                    }
                    plain = i + 1;
                }
            }
            utf8(plain == 0 ? s : s.substring(plain));
        }

        private void ensure(int n) {
            if (size + n <= buf.length) {
                return;
            }
            drain();
            if (n > buf.length) {
                buf = new byte[n];
            }
        }

        private void drain() {
            target.write(buf, 0, size);
            size = 0;
            if (target.checkError()) { // reader went away (e.g. `| head`): stop instead of reading on
                throw new UncheckedIOException(new IOException("cannot write to the output"));
            }
        }

        void flush() {
            drain();
            target.flush();
        }
    }
}
