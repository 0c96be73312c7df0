package io.alstream.connectors.broker.state;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * The requests that still want workers, in serving order: higher priority first, then older first,
 * then by id (so the order is total and the same after a rebuild). An in-memory index over the
 * request-state store, rebuilt from it whenever the topology's task starts; the store stays the truth.
 */
public final class TaskQueue {
    private record Entry(double priority, long createdAt, String requestId) {
    }

    private static final Comparator<Entry> ORDER = Comparator.comparingDouble(Entry::priority).reversed()
            .thenComparingLong(Entry::createdAt)
            .thenComparing(Entry::requestId);

    private final TreeSet<Entry> queue = new TreeSet<>(ORDER);
    private final Map<String, Entry> byId = new HashMap<>();

    /** Puts the request in the queue if it wants workers, takes it out otherwise. */
    public void update(RequestState s) {
        if (s.needsWorkers()) {
            if (!byId.containsKey(s.requestId())) {
                Entry e = new Entry(s.priority(), s.createdAt(), s.requestId());
                queue.add(e);
                byId.put(s.requestId(), e);
            }
        } else {
            remove(s.requestId());
        }
    }

    public void remove(String requestId) {
        Entry e = byId.remove(requestId);
        if (e != null) {
            queue.remove(e);
        }
    }

    public boolean contains(String requestId) {
        return byId.containsKey(requestId);
    }

    /** Request ids in serving order. Do not change the queue while iterating. */
    public Iterator<String> inOrder() {
        Iterator<Entry> it = queue.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public String next() {
                return it.next().requestId();
            }
        };
    }

    public int size() {
        return byId.size();
    }

    public void clear() {
        queue.clear();
        byId.clear();
    }
}
