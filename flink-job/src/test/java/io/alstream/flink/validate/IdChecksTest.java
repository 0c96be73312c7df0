package io.alstream.flink.validate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.alstream.learner.LearnerConfig;
import io.alstream.learner.OnlineModel;

/**
 * Event ids are bounded at validation, so no id that passes can break the model's state codec: the id that once
 * stopped the job for good (21,846 CJK characters, 65,538 UTF-8 bytes) is dead-lettered as id-too-long, and the
 * longest id accepted round-trips through a model checkpoint.
 */
class IdChecksTest {
    @Test
    void emptyAndOverlongIdsAreRejectedWithTheirReason() {
        assertEquals("missing-id", IdChecks.problem("", "event").reason());
        assertEquals("missing-id", IdChecks.problem(null, "label").reason());
        String cjk = "\u4e2d".repeat(21_846);
        DecodingValidator.Rejection r = IdChecks.problem(cjk, "event");
        assertEquals("id-too-long", r.reason());
        assertEquals("event has an event id of 65538 UTF-8 bytes (at most 1024), starting '" + cjk.substring(0, 32) + "'",
                r.message());
        assertEquals("id-too-long", IdChecks.problem("e".repeat(IdChecks.MAX_ID_BYTES + 1), "event").reason());
        assertNull(IdChecks.problem("e".repeat(IdChecks.MAX_ID_BYTES), "event"));
    }

    @Test
    void theLongestAcceptedIdSurvivesAModelCheckpointWhileTheRejectedOneWouldNot() {
        LearnerConfig cfg = LearnerConfig.builder().inputDim(3).numClasses(2).hiddenWidths(4).warmupLabels(0).build();
        // 256 emoji: four UTF-8 bytes each (six in the codec's modified UTF-8), exactly the limit
        String longest = "\ud83d\ude00".repeat(IdChecks.MAX_ID_BYTES / 4);
        assertNull(IdChecks.problem(longest, "event"));
        try (OnlineModel m = OnlineModel.create(cfg)) {
            m.addPending(longest, new float[] {1, 2, 3});
            m.fold("short", new float[] {0, 1, 0}, 1);
            byte[] bytes = m.toBytes();
            try (OnlineModel back = OnlineModel.fromBytes(cfg, bytes)) {
                assertEquals(m.stats().toString(), back.stats().toString());
                assertArrayEquals(bytes, back.toBytes());
            }
        }
        // the codec's limit is real: the id the validators now refuse would have broken the checkpoint
        try (OnlineModel m = OnlineModel.create(cfg)) {
            m.addPending("\u4e2d".repeat(21_846), new float[] {1, 2, 3});
            assertThrows(RuntimeException.class, m::toBytes);
        }
    }
}
