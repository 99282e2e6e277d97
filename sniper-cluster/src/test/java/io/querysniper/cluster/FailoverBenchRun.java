package io.querysniper.cluster;

import org.junit.jupiter.api.Test;

/** Entry point for bench/failover/run.sh; its name keeps it out of normal test runs. */
class FailoverBenchRun {
    @Test
    void run() throws Exception {
        FailoverBench.main(new String[0]);
    }
}
