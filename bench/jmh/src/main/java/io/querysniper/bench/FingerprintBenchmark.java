package io.querysniper.bench;

import io.querysniper.core.sql.Fingerprint;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Fingerprints per second: a rotating set of short processlist-like queries, and long ones (a 100 KB IN list and a
 * 100 KB multi-row INSERT). {@code textOnly} skips the SHA-256 digest to show what the lexer alone costs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FingerprintBenchmark {

    private static final int SHORT = 1024;

    private final String[] shortQueries = new String[SHORT];
    private String longInList;
    private String longInsert;

    @Setup
    public void setUp() {
        Random random = new Random(1);
        for (int i = 0; i < SHORT; i++) {
            shortQueries[i] = switch (i % 4) {
                case 0 -> "SELECT id, name FROM users WHERE email = 'user" + random.nextInt() + "@example.com' AND active = 1";
                case 1 -> "select * from orders where customer_id in (" + random.nextInt(1000) + ", "
                        + random.nextInt(1000) + ", " + random.nextInt(1000) + ") order by created desc limit 10";
                case 2 -> "UPDATE sessions SET token = X'" + Long.toHexString(random.nextLong())
                        + "', seen = NOW() WHERE id = " + random.nextInt();
                default -> "insert into audit (who, what, amount) values ('bob', 'pay', " + random.nextDouble()
                        + "), ('alice', 'refund', -" + random.nextInt(100) + ")";
            };
        }
        StringBuilder in = new StringBuilder("select * from t where id in (");
        while (in.length() < 100_000) {
            in.append(random.nextInt(1_000_000)).append(", ");
        }
        longInList = in.append("0)").toString();
        StringBuilder insert = new StringBuilder("insert into t (a, b, c) values ");
        while (insert.length() < 100_000) {
            insert.append("(").append(random.nextInt()).append(", 'name ").append(random.nextInt())
                    .append("', 'it''s'), ");
        }
        longInsert = insert.append("(1, 'x', 'y')").toString();
    }

    @Benchmark
    @OperationsPerInvocation(SHORT)
    public int shortQueries() {
        int h = 0;
        for (String q : shortQueries) {
            h += Fingerprint.of(q).digest().hashCode();
        }
        return h;
    }

    @Benchmark
    @OperationsPerInvocation(SHORT)
    public int shortQueriesTextOnly() {
        int h = 0;
        for (String q : shortQueries) {
            h += Fingerprint.textOf(q).length();
        }
        return h;
    }

    @Benchmark
    public Fingerprint longInList100k() {
        return Fingerprint.of(longInList);
    }

    @Benchmark
    public Fingerprint longInsert100k() {
        return Fingerprint.of(longInsert);
    }
}
