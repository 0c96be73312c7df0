package io.alstream.connectors.broker.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Keys ordered by a due time, for the wall-clock punctuator: deadlines of open requests, lease
 * expiries, the end of a closed request's retention. One due time per key; re-adding moves it.
 */
public final class TimeIndex<K extends Comparable<K>> {
    private record Due<K extends Comparable<K>>(long at, K key) implements Comparable<Due<K>> {
        @Override
        public int compareTo(Due<K> o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : key.compareTo(o.key);
        }
    }

    private final TreeSet<Due<K>> byTime = new TreeSet<>();
    private final Map<K, Due<K>> byKey = new HashMap<>();

    public void put(K key, long at) {
        remove(key);
        Due<K> d = new Due<>(at, key);
        byTime.add(d);
        byKey.put(key, d);
    }

    public void remove(K key) {
        Due<K> d = byKey.remove(key);
        if (d != null) {
            byTime.remove(d);
        }
    }

    /** Removes and returns, earliest first, every key due at or before {@code now}. */
    public List<K> pollDue(long now) {
        List<K> due = new ArrayList<>();
        while (!byTime.isEmpty() && byTime.first().at() <= now) {
            Due<K> d = byTime.pollFirst();
            byKey.remove(d.key());
            due.add(d.key());
        }
        return due;
    }

    public int size() {
        return byKey.size();
    }

    public void clear() {
        byTime.clear();
        byKey.clear();
    }
}
