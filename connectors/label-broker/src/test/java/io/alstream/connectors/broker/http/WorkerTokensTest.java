package io.alstream.connectors.broker.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    @Test
    void aDenyListRevokesTokensAndWorkersAndIsReadAgainWhenItChanges(@TempDir Path dir) throws Exception {
        Path deny = dir.resolve("revoked.txt");
        Files.writeString(deny, "# nobody yet\n");
        String secret = "0123456789abcdef-secret";
        String erin = WorkerTokens.derive(secret, "erin");
        WorkerTokens t = WorkerTokens.of(Map.of("carol", "carol-token", "dave", "dave-token"))
                .and(WorkerTokens.derivedFrom(secret)).revokedBy(deny);
        assertEquals("carol", t.workerOf("carol-token"));
        assertEquals("erin", t.workerOf(erin));
        assertFalse(t.isRevoked("carol-token"));

        Files.writeString(deny, "carol-token\nworker:erin\n");
        long end = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (!t.isRevoked("carol-token") && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertTrue(t.isRevoked("carol-token"), "the changed file is read again");
        assertNull(t.workerOf("carol-token"));
        assertTrue(t.isRevoked(erin), "worker:erin revokes erin's derived token");
        assertNull(t.workerOf(erin));
        assertEquals("dave", t.workerOf("dave-token"), "others keep their tokens");
        assertFalse(t.isRevoked("dave-token"));
        assertFalse(t.isRevoked("nobody-has-this"));

        Files.writeString(deny, "# carol is back\nworker:erin\n");
        end = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (t.isRevoked("carol-token") && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertEquals("carol", t.workerOf("carol-token"), "taken off the list, the token works again");
        assertNull(t.workerOf(erin));
        assertThrows(IllegalArgumentException.class, () -> WorkerTokens.of(Map.of("a", "b")).revokedBy(dir.resolve("missing")));
    }
}
