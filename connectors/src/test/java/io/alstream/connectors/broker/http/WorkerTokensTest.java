package io.alstream.connectors.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerTokensTest {
    @Test
    void aTableMapsEachTokenToItsWorkerAndNothingElse() {
        WorkerTokens t = WorkerTokens.of(Map.of("a", "token-a", "b", "token-b"));
        assertEquals("a", t.workerOf("token-a"));
        assertEquals("b", t.workerOf("token-b"));
        assertNull(t.workerOf("token-c"));
        assertNull(t.workerOf(""));
        assertNull(t.workerOf(null));
        assertThrows(IllegalArgumentException.class, () -> WorkerTokens.of(Map.of("a", "same", "b", "same")));
    }

    @Test
    void derivedTokensNameTheirWorkerAndCannotBeForgedWithoutTheSecret() {
        String secret = "0123456789abcdef-secret";
        WorkerTokens t = WorkerTokens.derivedFrom(secret);
        String alice = WorkerTokens.derive(secret, "alice");
        assertEquals("alice", t.workerOf(alice));
        assertEquals("w.with.dots", t.workerOf(WorkerTokens.derive(secret, "w.with.dots")));
        assertNull(t.workerOf(WorkerTokens.derive("another-secret-000000", "alice")));
        // swapping the worker part of a valid token does not make a valid token for someone else
        assertNull(t.workerOf("bob" + alice.substring(alice.indexOf('.'))));
        assertNotEquals(WorkerTokens.derive(secret, "alice"), WorkerTokens.derive(secret, "bob"));
        assertThrows(IllegalArgumentException.class, () -> WorkerTokens.derivedFrom("short"));
    }

    @Test
    void aFileAndASecretWorkTogether(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tokens.properties");
        Files.writeString(file, "# workers\ncarol = carol-token\n");
        String secret = "0123456789abcdef-secret";
        WorkerTokens t = WorkerTokens.fromFile(file).and(WorkerTokens.derivedFrom(secret));
        assertEquals("carol", t.workerOf("carol-token"));
        assertEquals("dave", t.workerOf(WorkerTokens.derive(secret, "dave")));
    }
}
