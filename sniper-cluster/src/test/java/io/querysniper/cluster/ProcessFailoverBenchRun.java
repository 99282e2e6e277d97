package io.querysniper.cluster;

import org.junit.jupiter.api.Test;

/** Entry point for bench/failover/run.sh process; its name keeps it out of normal test runs. */
class ProcessFailoverBenchRun {
    @Test
    void run() throws Exception {
        ProcessFailoverBench.main(new String[0]);
    }
}
