package io.alstream.flink.records;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

import io.alstream.flink.io.AvroConversions;
import io.alstream.schemas.DeadLetter;

/**
 * A dead letter always fits the topic's default record limit (1 MB): an input near that limit is copied in part,
 * with the original sizes in the message and its topic/partition/offset to find it; small inputs are copied whole.
 */
class DeadLetterRecordTest {
    private static int encodedSize(DeadLetterRecord d) throws Exception {
        DeadLetter avro = new AvroConversions.DeadLetters().toAvro(d);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(DeadLetter.class).write(avro, enc);
        enc.flush();
        return out.size() + d.key.length; // the key is also the Kafka record's key
    }

    @Test
    void aRecordNearTheLimitMakesADeadLetterFarBelowIt() throws Exception {
        byte[] value = new byte[1_048_000];
        Arrays.fill(value, (byte) 7);
        byte[] key = new byte[100_000];
        RawRecord raw = new RawRecord("alstream.events.v1", 3, 4242, 0, key, value);
        DeadLetterRecord d = DeadLetterRecord.of(raw, "undecodable", "x".repeat(10_000), "validate-event", 1L);
        assertEquals(DeadLetterRecord.MAX_VALUE_BYTES, d.value.length);
        assertEquals(DeadLetterRecord.MAX_KEY_BYTES, d.key.length);
        assertArrayEquals(Arrays.copyOf(value, DeadLetterRecord.MAX_VALUE_BYTES), d.value);
        assertTrue(d.errorMessage.length() <= DeadLetterRecord.MAX_MESSAGE_CHARS, "message of " + d.errorMessage.length());
        assertTrue(d.errorMessage.endsWith("; value truncated from 1048000 to 262144 bytes; key truncated from 100000 to 1024 bytes"),
                d.errorMessage);
        assertEquals(4242, d.offset);
        int size = encodedSize(d);
        assertTrue(size < 300 * 1024, "dead letter of " + size + " bytes");
        // without the bounds the same input would not have fit a 1 MB record
        DeadLetterRecord whole = DeadLetterRecord.of(new RawRecord("t", 0, 0, 0, new byte[0], new byte[0]),
                "undecodable", "m", "s", 1L);
        whole.key = key;
        whole.value = value;
        assertTrue(encodedSize(whole) > 1_048_576, "the uncut dead letter would fit: " + encodedSize(whole));
    }

    @Test
    void aSmallRecordIsCopiedWhole() {
        byte[] value = {0, 0, 0, 0, 9, 1, 2};
        byte[] key = "ev-1".getBytes();
        DeadLetterRecord d = DeadLetterRecord.of(new RawRecord("t", 0, 1, 0, key, value), "too-short", "5 bytes", "s", 2L);
        assertArrayEquals(value, d.value);
        assertArrayEquals(key, d.key);
        assertEquals("5 bytes", d.errorMessage);
    }
}
