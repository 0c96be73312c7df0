package io.alstream.flink.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * Label request ids are keyed: the same event always gets the same id under one key (a replay is de-duplicated by the
 * broker), different events get different ids, and the id says nothing of the event without the key.
 */
class RequestIdTest {
    private static RequestSettings settings(String key) {
        return new RequestSettings(8, 100, 60_000, 1, 2, List.of(), 1, 16, key);
    }

    @Test
    void oneEventOneIdUnderAKeyAndNothingGuessableWithoutIt() {
        RequestSettings a = settings("key-a-0123456789");
        String id = a.requestId("digits-17");
        assertEquals(id, a.requestId("digits-17"), "a replayed event is asked for under the same id");
        assertEquals(id, settings("key-a-0123456789").requestId("digits-17"), "the same key, the same id (a restarted task)");
        assertTrue(id.matches("req-[A-Za-z0-9_-]{22}"), id + ": req- and 128 bits in base64url");
        assertFalse(id.contains("digits") || id.contains("17"), id);
        assertNotEquals(id, settings("key-b-0123456789").requestId("digits-17"), "another key, another id");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(a.requestId("digits-" + i));
        }
        assertEquals(10_000, ids.size(), "distinct events, distinct ids");
    }

    @Test
    void withoutASecretEachJobMakesItsOwnRandomKeyAndNeverPrintsIt() {
        RequestSettings one = settings("");
        RequestSettings two = new RequestSettings(8, 100, 60_000, 1, 2, List.of(), 1, 16);
        assertFalse(one.requestIdKey().isEmpty());
        assertNotEquals(one.requestIdKey(), two.requestIdKey());
        assertNotEquals(one.requestId("e1"), two.requestId("e1"));
        assertFalse(one.toString().contains(one.requestIdKey()), one.toString());
    }
}
