package io.alstream.local.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadOffsetsTest {

    @Test
    void aRecordFetchedAgainAtAnOffsetAlreadyReadIsHandedOnOnce() {
        ReadOffsets o = new ReadOffsets();
        assertTrue(o.firstRead("t", 0, 0));
        assertTrue(o.firstRead("t", 0, 1));
        assertTrue(o.firstRead("t", 1, 0));
        assertTrue(o.firstRead("other", 0, 0), "offsets are per topic and partition");
        // the position fell back: the same records come again
        assertFalse(o.firstRead("t", 0, 0));
        assertFalse(o.firstRead("t", 0, 1));
        assertFalse(o.firstRead("t", 1, 0));
        // then new ones, with a gap where a transaction marker or an aborted record was skipped
        assertTrue(o.firstRead("t", 0, 3));
        assertFalse(o.firstRead("t", 0, 2), "below the newest offset read: a re-read, not a new record");
        assertTrue(o.firstRead("t", 1, 1));
        assertEquals(4, o.rereads());
    }
}
