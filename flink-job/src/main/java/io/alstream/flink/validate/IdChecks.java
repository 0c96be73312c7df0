package io.alstream.flink.validate;

import java.nio.charset.StandardCharsets;

import io.alstream.connectors.limits.InputLimits;
import io.alstream.flink.records.DeadLetterRecord.Reasons;

/**
 * Checks an event id before it reaches the model, which keeps it in its state and checkpoints: present, and at most
 * {@link #MAX_ID_BYTES} bytes of UTF-8. An unbounded id once passed validation and then made every checkpoint throw
 * (the state codec's strings hold 65,535 bytes), so the job failed over and replayed into the same record forever.
 */
public final class IdChecks {
    /** The longest event id the job takes, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = InputLimits.MAX_ID_BYTES;

    private IdChecks() {
    }

    /** Null when the id is fine, else the rejection ({@code missing-id} or {@code id-too-long}). */
    static DecodingValidator.Rejection problem(String id, String what) {
        if (id == null || id.isBlank()) {
            return new DecodingValidator.Rejection(Reasons.MISSING_ID, what + " has an empty event id");
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ID_BYTES) {
            return new DecodingValidator.Rejection(Reasons.ID_TOO_LONG, what + " has an event id of " + bytes
                    + " UTF-8 bytes (at most " + MAX_ID_BYTES + "), starting '" + id.substring(0, 32) + "'");
        }
        // control characters, bidirectional controls, malformed UTF-8: refused as invalid-id (the broker does the same)
        InputLimits.Problem p = InputLimits.id(id, what + "'s event id");
        return p == null ? null : new DecodingValidator.Rejection(p.reason(), p.message());
    }

    /** The rest of a record's documented bounds (InputLimits), as a rejection. */
    static DecodingValidator.Rejection limits(InputLimits.Problem p, String what) {
        return p == null ? null : new DecodingValidator.Rejection(p.reason(), what + ": " + p.message());
    }
}
