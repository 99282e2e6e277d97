package io.querysniper.daemon;

import java.time.Duration;

/**
 * A JVM whose clean stop never ends, for {@link ShutdownSignalsIT}: installs the daemon's
 * {@link ShutdownSignals} around a stop that hangs ({@code hang}) or returns at once ({@code quick}),
 * prints {@code ready}, and waits for signals.
 * <pre>java -cp TEST-CLASSPATH io.querysniper.daemon.HangingStop hang|quick BUDGET-MS</pre>
 */
public final class HangingStop {
    private HangingStop() {
    }

    public static void main(String[] args) throws InterruptedException {
        boolean hang = args[0].equals("hang");
        Duration budget = Duration.ofMillis(Long.parseLong(args[1]));
        ShutdownSignals.install(() -> {
            System.out.println("stop: begun");
            System.out.flush();
            while (hang) {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    // a stuck stage does not care
                }
            }
            System.out.println("stop: done");
            System.out.flush();
        }, budget);
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
