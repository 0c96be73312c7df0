package io.alstream.connectors.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Runs {@code src/test/node/interop.mjs}: the npm package {@code @kafkajs/confluent-schema-registry},
 * a Confluent registry client nobody in this project wrote. Fails loudly, with the command that fixes
 * it, when node or the package is missing: an interop test that skips itself proves nothing.
 */
final class NodeRegistryClient {
    static final Path DIR = Path.of("src", "test", "node").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private NodeRegistryClient() {
    }

    /** Throws with instructions unless node and the pinned package are installed. */
    static void checkInstalled() {
        Path pkg = DIR.resolve("node_modules/@kafkajs/confluent-schema-registry/package.json");
        if (!Files.exists(pkg)) {
            throw new IllegalStateException("The registry interop test needs the npm package @kafkajs/confluent-schema-registry in "
                    + DIR.resolve("node_modules") + ". Install it with: bash connectors/src/test/node/install.sh");
        }
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("node --version failed: " + v);
            }
        } catch (IOException e) {
            throw new IllegalStateException("The registry interop test needs node on the PATH (Debian: apt-get install nodejs npm)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs one operation; returns its JSON answer ({@code error} and {@code status} when their client threw). */
    static JsonNode run(ObjectNode job) {
        try {
            Process p = new ProcessBuilder("node", "interop.mjs", job.toString()).directory(DIR.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("node interop.mjs did not finish: " + job);
            }
            if (p.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalStateException("node interop.mjs exited " + p.exitValue() + " with output '" + out + "' for " + job);
            }
            String last = out.substring(out.lastIndexOf('\n') + 1);
            return JSON.readTree(last);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run node interop.mjs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode job(String op, String url) {
        return JSON.createObjectNode().put("op", op).put("url", url);
    }
}
