package io.querysniper.core.log;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Consumer;

/** Fans records out to several listeners in order; one that throws is logged and never stops the others. */
public final class CompositeKillListener implements KillListener {
    private static final Logger log = LoggerFactory.getLogger(CompositeKillListener.class);

    private final List<KillListener> listeners;

    public CompositeKillListener(List<KillListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    public static KillListener of(KillListener... listeners) {
        return new CompositeKillListener(List.of(listeners));
    }

    @Override
    public void beforeKill(KillRecord intent) {
        each(l -> l.beforeKill(intent), "intent " + intent.id());
    }

    @Override
    public void beforeKills(List<KillRecord> intents) {
        each(l -> l.beforeKills(intents), intents.size() + " intents");
    }

    @Override
    public void onRecord(KillRecord record) {
        each(l -> l.onRecord(record), "record " + record.id());
    }

    @Override
    public void onRecords(List<KillRecord> records) {
        each(l -> l.onRecords(records), records.size() + " records");
    }

    @Override
    public void expectRecords(java.time.Instant at) {
        each(l -> l.expectRecords(at), "armed kills at " + at);
    }

    private void each(Consumer<KillListener> call, String what) {
        for (KillListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.warn("kill listener {} failed on {}", l.getClass().getName(), what, e);
            }
        }
    }
}
