package io.querysniper.daemon.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.querysniper.testkit.Timing;

/**
 * {@code bin/query-sniper demo} as a newcomer runs it: a throwaway MariaDB, the embedded ZooKeeper and the
 * daemon; the runaway query carrying an e-mail address dies, and the log line, the journal record, the
 * fingerprint and {@code cluster status} show it without the address; everything is cleaned up.
 */
@Tag("process")
class DemoProcessIT {
    @TempDir
    Path tmp;

    @Test
    void showsTheKillWithoutTheAddressAndCleansUp() throws Exception {
        Script.Result r = Script.run(Timing.seconds(120), Map.of("TMPDIR", tmp.toString()),
                "bin/query-sniper", "demo");
        String out = r.output();
        assertThat(r.code()).as(out).isZero();
        assertThat(out).contains("ERROR 1317")                 // the client saw its query killed
                .contains("KILLED kill-query database=demo")   // the daemon's log line
                .contains("runaway-select")
                .contains("select id from qs_demo.customers where email = ? and SLEEP(?) = ?")
                .contains("DATABASE  OWNER")                   // cluster status
                .contains("demo-node")
                .contains("not found");                        // the address is nowhere the daemon wrote
        // The address is printed once, in the query the demo runs; never by the daemon's log or journal.
        String afterQuery = out.substring(out.indexOf("the client got"));
        assertThat(afterQuery).doesNotContain("alice.doe");
        try (var left = Files.list(tmp)) {
            assertThat(left).as("the demo's temp folder is removed").isEmpty();
        }
    }
}
