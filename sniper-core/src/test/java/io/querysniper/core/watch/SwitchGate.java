package io.querysniper.core.watch;

import io.querysniper.core.port.KillGate;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntPredicate;

/** A gate whose answer a test decides per call (by call number) and whose changes it fires. */
final class SwitchGate implements KillGate {
    final AtomicInteger calls = new AtomicInteger();
    volatile IntPredicate answer = n -> true;
    final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

    @Override
    public boolean mayKill(String database) {
        return answer.test(calls.incrementAndGet());
    }

    @Override
    public void onChange(Consumer<String> listener) {
        listeners.add(listener);
    }

    void fire(String database) {
        listeners.forEach(l -> l.accept(database));
    }
}
