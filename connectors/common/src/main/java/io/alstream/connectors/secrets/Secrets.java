package io.alstream.connectors.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets kept off the command line and out of the logs.
 *
 * <p>A setting's value may name where its secret is instead of holding it: {@code ${env:NAME}} is the
 * environment variable NAME, {@code ${file:/run/secrets/x}} the file's content (one trailing newline
 * removed, as {@code echo} and Docker/Kubernetes secrets leave it). A reference to a variable that is not
 * set or a file that cannot be read is an error naming the reference, never its value. References may
 * stand inside a longer value (a JAAS line: {@code ... password="${env:KAFKA_PASSWORD}";}).
 *
 * <p>{@link #isSecretKey} says which settings hold secrets (passwords, secrets, tokens, JAAS lines, basic
 * auth credentials, key material); {@link #redacted} and {@link #redact} replace them for logs.
 */
public final class Secrets {
    /** What a redacted value reads as. */
    public static final String MASK = "******";
    private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");
    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?i).*(password|passwd|secret|token|jaas|basic-auth|basic\\.auth|user-info|user\\.info|credentials|private"
                    + "|ssl\\.key\\b|keystore\\.key|api[-._]?key).*");
    /** {@code password="..."} and the like inside JAAS lines and URLs' user info. */
    private static final Pattern INLINE = Pattern.compile(
            "(?i)((?:password|secret|token)\\s*=\\s*\")([^\"]*)(\")|(://[^/:@\\s]+:)([^@\\s]+)(@)");

    private Secrets() {
    }

    /** Whether a setting of this name holds a secret (and so is never logged). */
    public static boolean isSecretKey(String key) {
        return SECRET_KEY.matcher(key).matches();
    }

    /** The value with its {@code ${env:..}} / {@code ${file:..}} references replaced, from the real environment. */
    public static String resolve(String key, String value) {
        return resolve(key, value, System::getenv);
    }

    /** As {@link #resolve(String, String)}, with the environment given (for tests). */
    public static String resolve(String key, String value, Function<String, String> env) {
        if (value == null || value.indexOf("${") < 0) {
            return value;
        }
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String kind = m.group(1);
            String name = m.group(2).trim();
            String secret;
            if ("env".equals(kind)) {
                secret = env.apply(name);
                if (secret == null) {
                    throw new IllegalArgumentException(key + " refers to the environment variable " + name
                            + ", which is not set");
                }
            } else {
                Path file = Path.of(name);
                try {
                    secret = Files.readString(file, StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    throw new IllegalArgumentException(key + " refers to the file " + file + ", which cannot be read ("
                            + e.getClass().getSimpleName() + ")");
                }
                if (secret.endsWith("\r\n")) {
                    secret = secret.substring(0, secret.length() - 2);
                } else if (secret.endsWith("\n")) {
                    secret = secret.substring(0, secret.length() - 1);
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(secret));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every value resolved (see {@link #resolve}). */
    public static Map<String, String> resolveAll(Map<String, String> settings) {
        Map<String, String> m = new TreeMap<>();
        settings.forEach((k, v) -> m.put(k, resolve(k, v)));
        return m;
    }

    /** A copy for logs: secret settings masked, passwords inside other values masked too. */
    public static Map<String, String> redacted(Map<String, String> settings) {
        Map<String, String> m = new TreeMap<>();
        settings.forEach((k, v) -> m.put(k, isSecretKey(k) && v != null && !v.isEmpty() ? MASK : redact(v)));
        return m;
    }

    /** The text with inline passwords ({@code password="..."}, {@code scheme://user:password@host}) masked. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = INLINE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) != null ? m.group(1) + MASK + m.group(3) : m.group(4) + MASK + m.group(6);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
