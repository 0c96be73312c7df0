package io.alstream.connectors.registry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small least-recently-used map. The client's caches hold schemas by id and ids by schema: facts of
 * the registry that only a delete changes (an id never changes meaning), so entries need no expiry,
 * only a bound so that a stream of many distinct schemas cannot grow the heap without limit.
 */
final class BoundedCache<K, V> {
    private final Map<K, V> map;

    BoundedCache(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("cache capacity must be >= 1, was " + capacity);
        }
        this.map = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized V get(K key) {
        return map.get(key);
    }

    synchronized void put(K key, V value) {
        map.put(key, value);
    }

    /** Drops the entries whose key matches (after a delete through this client). */
    synchronized void removeKeys(java.util.function.Predicate<K> which) {
        map.keySet().removeIf(which);
    }

    synchronized int size() {
        return map.size();
    }
}
