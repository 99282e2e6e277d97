package io.querysniper.core.watch;

import io.querysniper.core.kill.KillOutcome;
import io.querysniper.core.kill.KillRecord;
import io.querysniper.core.port.KillListener;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every intent and record. */
class RecordingListener implements KillListener {
    final List<KillRecord> intents = new CopyOnWriteArrayList<>();
    final List<KillRecord> records = new CopyOnWriteArrayList<>();
    /** The instants {@link #expectRecords} was told, in order. */
    final List<java.time.Instant> expected = new CopyOnWriteArrayList<>();
    /** Sizes of the intent batches, in order. */
    final List<Integer> intentBatches = new CopyOnWriteArrayList<>();
    /** Sizes of the final record batches, in order. */
    final List<Integer> recordBatches = new CopyOnWriteArrayList<>();

    @Override
    public void beforeKills(List<KillRecord> batch) {
        intentBatches.add(batch.size());
        KillListener.super.beforeKills(batch);
    }

    @Override
    public void beforeKill(KillRecord intent) {
        intents.add(intent);
    }

    @Override
    public void expectRecords(java.time.Instant at) {
        expected.add(at);
    }

    @Override
    public void onRecords(List<KillRecord> batch) {
        recordBatches.add(batch.size());
        KillListener.super.onRecords(batch);
    }

    @Override
    public void onRecord(KillRecord record) {
        records.add(record);
    }

    List<KillOutcome> outcomes() {
        return records.stream().map(KillRecord::outcome).toList();
    }
}
