package io.alstream.flink.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The trainer's bookkeeping state: its own versioned format (no Java serialization), the committed bytes of
 * format 1 still restore (write them anew only for a new format, as a new file:
 * {@code -Dalstream.fixtures.write=src/test/resources/state-fixtures}), and state of the first version (Java
 * serialization) still restores.
 */
class TrainerBookkeepingFormatTest {
    static final String FORMAT_1 = "trainer-bookkeeping-format1.bin";
    static final String FORMAT_2 = "trainer-bookkeeping-format2.bin";

    static TrainerBookkeeping sample() {
        TrainerBookkeeping b = new TrainerBookkeeping();
        b.prequential(true, 0.98);
        b.prequential(false, 0.98);
        b.duplicates = 3;
        b.closedUnlabelled = 4;
        b.pendingAdded = 5;
        b.labelsFoldedTotal = 6;
        b.lastLabelAt = 1_700_000_000_000L;
        b.lastPublishedVersion = 42;
        b.lastPublishedRefreshes = 2;
        b.lastPublishedWarm = true;
        b.foldedSinceUpdate.addAll(List.of("ev-1", "ev-2"));
        b.lastHeldOutAccuracy = 0.875;
        b.lastHeldOutAt = 1_700_000_000_500L;
        b.budgetHeard(0, 100L, 9L);
        b.budgetHeard(1, 50L, 6L);
        return b;
    }

    /** Format 2 adds the shards' budget counts: 15 requested of 150 seen. */
    static void assertSampleWithBudget(TrainerBookkeeping b) {
        assertSample(b);
        assertEquals(0.1, b.budgetSpent(), 1e-12);
    }

    static void assertSample(TrainerBookkeeping b) {
        TrainerBookkeeping s = sample();
        assertEquals(s.prequentialAccuracy(), b.prequentialAccuracy());
        assertEquals(List.of(3L, 4L, 5L, 6L, 42L), List.of(b.duplicates, b.closedUnlabelled, b.pendingAdded, b.labelsFoldedTotal,
                b.lastPublishedVersion));
        assertEquals(s.lastLabelAt, b.lastLabelAt);
        assertEquals(2, b.lastPublishedRefreshes);
        assertEquals(true, b.lastPublishedWarm);
        assertEquals(List.of("ev-1", "ev-2"), b.foldedSinceUpdate);
        assertEquals(0.875, b.lastHeldOutAccuracy);
        assertEquals(s.lastHeldOutAt, b.lastHeldOutAt);
    }

    @Test
    void roundTripsAndReadsTheCommittedBytesOfEveryFormat() throws IOException {
        byte[] now = sample().toBytes();
        assertEquals(TrainerBookkeeping.FORMAT, now[0], "a version byte first");
        assertSampleWithBudget(TrainerBookkeeping.fromBytes(now));
        String dir = System.getProperty("alstream.fixtures.write");
        if (dir != null) {
            Files.write(Path.of(dir, FORMAT_2), now);
        }
        try (InputStream in = getClass().getResourceAsStream("/state-fixtures/" + FORMAT_1)) {
            assertNotNull(in, "fixture missing: " + FORMAT_1);
            TrainerBookkeeping old = TrainerBookkeeping.fromBytes(in.readAllBytes());
            assertSample(old);
            assertEquals(null, old.budgetSpent(), "format 1 had no budget counts");
        }
        try (InputStream in = getClass().getResourceAsStream("/state-fixtures/" + FORMAT_2)) {
            assertNotNull(in, "fixture missing: " + FORMAT_2);
            assertSampleWithBudget(TrainerBookkeeping.fromBytes(in.readAllBytes()));
        }
    }

    @Test
    void readsTheFirstVersionsJavaSerializedStateAndRejectsUnknownFormats() {
        assertSample(TrainerBookkeeping.fromBytes(LearnerBridge.javaBytes(sample())));
        byte[] future = sample().toBytes();
        future[0] = (byte) (TrainerBookkeeping.FORMAT + 1);
        assertThrows(IllegalArgumentException.class, () -> TrainerBookkeeping.fromBytes(future));
    }
}
