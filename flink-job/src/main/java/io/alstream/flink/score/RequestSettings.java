package io.alstream.flink.score;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What the scorer writes into each label request besides the scores.
 *
 * @param requestIdKey the key request ids are derived with ({@link #requestId}); never logged
 */
public record RequestSettings(int batchSize, long batchMaxDelayMs, long deadlineMs, int redundancy,
                              int numClasses, List<String> classNames, int scoringShards, int coldBacklog,
                              String requestIdKey) implements Serializable {
    public RequestSettings {
        if (requestIdKey == null || requestIdKey.isEmpty()) {
            requestIdKey = randomKey();
        }
    }

    /** With a random request-id key. */
    public RequestSettings(int batchSize, long batchMaxDelayMs, long deadlineMs, int redundancy, int numClasses,
                           List<String> classNames, int scoringShards, int coldBacklog) {
        this(batchSize, batchMaxDelayMs, deadlineMs, redundancy, numClasses, classNames, scoringShards, coldBacklog, null);
    }

    /** 256 random bits, base64. */
    public static String randomKey() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    /**
     * The id of the label request for an event: {@code req-} and the first 128 bits of HMAC-SHA256(key, event id) in
     * base64url. One event, one id (a replay yields the same one, which the broker de-duplicates), and without the key
     * an open request's id cannot be told from its event id (it used to be {@code req-<eventId>}, which let anyone
     * holding a token answer any request).
     */
    public String requestId(String eventId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(requestIdKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] h = mac.doFinal(eventId.getBytes(StandardCharsets.UTF_8));
            return "req-" + Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(h, 16));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "RequestSettings[batchSize=" + batchSize + ", batchMaxDelayMs=" + batchMaxDelayMs + ", deadlineMs=" + deadlineMs
                + ", redundancy=" + redundancy + ", numClasses=" + numClasses + ", classNames=" + classNames + ", scoringShards="
                + scoringShards + ", coldBacklog=" + coldBacklog + ", requestIdKey=***]";
    }
}
