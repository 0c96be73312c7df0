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
    /** Revoked tokens and workers, or null when nothing can be revoked. */
    private final DenyList denied;

    private WorkerTokens(Map<String, String> workerByToken, byte[] secret) {
        this(workerByToken, secret, null);
    }

    private WorkerTokens(Map<String, String> workerByToken, byte[] secret, DenyList denied) {
        this.workerByToken = workerByToken;
        this.secret = secret;
        this.denied = denied;
    }

    /**
     * The same tokens, less those a deny list revokes. The file holds one entry a line ({@code #} starts a comment):
     * a token, revoking that token, or {@code worker:<workerId>}, revoking every token of the worker (its table
     * token and its derived one). The file is read again whenever its modification time or size changes (looked at
     * most once a second), so a token is revoked without a restart; a file that cannot be read keeps the last list
     * (and says so in the log). A missing file at start is an error.
     */
    public WorkerTokens revokedBy(Path denyFile) {
        return new WorkerTokens(workerByToken, secret, new DenyList(denyFile));
    }

    /** Whether this token, or its worker's tokens, are on the deny list. */
    public boolean isRevoked(String token) {
        if (denied == null || token == null) {
            return false;
        }
        String worker = workerOfIgnoringDenial(token);
        return denied.denies(token, worker);
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

    /** Both sources: the table first, then the secret (and either's deny list). */
    public WorkerTokens and(WorkerTokens other) {
        Map<String, String> merged = new HashMap<>(workerByToken);
        merged.putAll(other.workerByToken);
        byte[] s = secret != null ? secret : other.secret;
        return new WorkerTokens(merged, s, denied != null ? denied : other.denied);
    }

    /** The deny list file, read again when it changes. */
    private static final class DenyList {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DenyList.class);
        private final Path file;
        private volatile java.util.Set<String> tokens = java.util.Set.of();
        private volatile java.util.Set<String> workers = java.util.Set.of();
        private volatile String stamp = "";
        private volatile long checkedAt;

        DenyList(Path file) {
            this.file = file;
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("revoked-tokens file " + file + ": no readable file there");
            }
            reload();
        }

        boolean denies(String token, String worker) {
            long now = System.nanoTime();
            if (now - checkedAt > 1_000_000_000L) {
                checkedAt = now;
                reload();
            }
            return tokens.contains(token) || (worker != null && workers.contains(worker));
        }

        private synchronized void reload() {
            try {
                String now = Files.readString(file, StandardCharsets.UTF_8);
                if (now.equals(stamp)) {
                    return;
                }
                java.util.Set<String> t = new java.util.HashSet<>();
                java.util.Set<String> w = new java.util.HashSet<>();
                for (String line : now.split("\\R")) {
                    String l = line.strip();
                    if (l.isEmpty() || l.startsWith("#")) {
                        continue;
                    }
                    if (l.startsWith("worker:")) {
                        w.add(l.substring("worker:".length()).strip());
                    } else {
                        t.add(l);
                    }
                }
                tokens = java.util.Set.copyOf(t);
                workers = java.util.Set.copyOf(w);
                stamp = now;
                LOG.info("revoked tokens: {} token(s) and {} worker(s) denied ({})", t.size(), w.size(), file);
            } catch (IOException e) {
                LOG.warn("cannot read the revoked-tokens file {} ({}); the last list read stays in force", file, e.toString());
            }
        }
    }

    /** The token of a worker under a shared secret. */
    public static String derive(String secret, String workerId) {
        return workerId + "." + signature(secret.getBytes(StandardCharsets.UTF_8), workerId);
    }

    /** The worker a token belongs to, or null if it belongs to no one or is revoked. */
    public String workerOf(String token) {
        String worker = workerOfIgnoringDenial(token);
        return worker != null && denied != null && denied.denies(token, worker) ? null : worker;
    }

    private String workerOfIgnoringDenial(String token) {
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
