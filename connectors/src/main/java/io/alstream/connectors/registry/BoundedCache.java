package io.alstream.connectors.registry;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small least-recently-used map. The client's caches hold schemas by id and ids by schema; both are
 * immutable facts of the registry (an id never changes meaning), so entries never go stale, they only
 * need a bound so that a stream of many distinct schemas cannot grow the heap without limit.
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

    synchronized int size() {
        return map.size();
    }
}
