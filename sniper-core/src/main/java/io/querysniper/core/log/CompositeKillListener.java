package io.querysniper.core.log;

import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

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
        for (KillListener l : listeners) {
            try {
                l.beforeKill(intent);
            } catch (RuntimeException e) {
                log.warn("kill listener {} failed on intent {}", l.getClass().getName(), intent.id(), e);
            }
        }
    }

    @Override
    public void beforeKills(List<KillRecord> intents) {
        for (KillListener l : listeners) {
            try {
                l.beforeKills(intents);
            } catch (RuntimeException e) {
                log.warn("kill listener {} failed on {} intents", l.getClass().getName(), intents.size(), e);
            }
        }
    }

    @Override
    public void onRecords(List<KillRecord> records) {
        for (KillListener l : listeners) {
            try {
                l.onRecords(records);
            } catch (RuntimeException e) {
                log.warn("kill listener {} failed on {} records", l.getClass().getName(), records.size(), e);
            }
        }
    }

    @Override
    public void onRecord(KillRecord record) {
        for (KillListener l : listeners) {
            try {
                l.onRecord(record);
            } catch (RuntimeException e) {
                log.warn("kill listener {} failed on record {}", l.getClass().getName(), record.id(), e);
            }
        }
    }
}
