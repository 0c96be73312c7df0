package io.alstream.connectors.broker.http;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who a bearer token belongs to. Two sources, usable together: a fixed table (workerId → token,
 * e.g. from a properties file a crowd platform provisions), and tokens derived from a shared secret,
 * {@code <workerId>.<base64url(HMAC-SHA256(secret, workerId))>}, which a platform can mint for any
 * worker without telling the broker first. Comparisons are constant-time.
 */
public final class WorkerTokens {
    private final Map<String, String> workerByToken;
    private final byte[] secret;

    private WorkerTokens(Map<String, String> workerByToken, byte[] secret) {
        this.workerByToken = workerByToken;
        this.secret = secret;
    }

    /** A fixed table of tokens. Two workers may not share a token. */
    public static WorkerTokens of(Map<String, String> tokenByWorker) {
        Map<String, String> byToken = new HashMap<>();
        for (Map.Entry<String, String> e : tokenByWorker.entrySet()) {
            if (e.getValue() == null || e.getValue().isEmpty()) {
                throw new IllegalArgumentException("empty token for worker " + e.getKey());
            }
            String previous = byToken.put(e.getValue(), e.getKey());
            if (previous != null) {
                throw new IllegalArgumentException("workers " + previous + " and " + e.getKey() + " share a token");
            }
        }
        return new WorkerTokens(byToken, null);
    }

    /** Tokens derived from a shared secret with {@link #derive(String, String)}. */
    public static WorkerTokens derivedFrom(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the token secret must have at least 16 characters");
        }
        return new WorkerTokens(Map.of(), secret.getBytes(StandardCharsets.UTF_8));
    }

    /** A properties file of {@code workerId=token} lines. */
    public static WorkerTokens fromFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read worker tokens from " + file, e);
        }
        Map<String, String> m = new HashMap<>();
        for (String worker : p.stringPropertyNames()) {
            m.put(worker, p.getProperty(worker).trim());
        }
        return of(m);
    }

    /** Both sources: the table first, then the secret. */
    public WorkerTokens and(WorkerTokens other) {
        Map<String, String> merged = new HashMap<>(workerByToken);
        merged.putAll(other.workerByToken);
        byte[] s = secret != null ? secret : other.secret;
        return new WorkerTokens(merged, s);
    }

    /** The token of a worker under a shared secret. */
    public static String derive(String secret, String workerId) {
        return workerId + "." + signature(secret.getBytes(StandardCharsets.UTF_8), workerId);
    }

    /** The worker a token belongs to, or null if it belongs to no one. */
    public String workerOf(String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        for (Map.Entry<String, String> e : workerByToken.entrySet()) {
            if (MessageDigest.isEqual(e.getKey().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
                return e.getValue();
            }
        }
        if (secret != null) {
            int dot = token.lastIndexOf('.');
            if (dot > 0) {
                String worker = token.substring(0, dot);
                String expected = signature(secret, worker);
                if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                        token.substring(dot + 1).getBytes(StandardCharsets.UTF_8))) {
                    return worker;
                }
            }
        }
        return null;
    }

    /** Worker ids of the fixed table (derived tokens have no list). */
    public List<String> knownWorkers() {
        return new ArrayList<>(workerByToken.values());
    }

    private static String signature(byte[] secret, String workerId) {
        Objects.requireNonNull(workerId);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(workerId.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
