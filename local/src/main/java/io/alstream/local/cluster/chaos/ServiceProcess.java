package io.alstream.local.cluster.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code alstream <command>} (the registry, the label broker) as a JVM of its own, started again with the same
 * arguments after it is killed: the failure run's way of crashing a service ({@code kill -9}), stopping it for an
 * outage (SIGTERM) and bringing it back. Its output goes to {@code <log>} (appended across lives). Every wait has a
 * deadline.
 */
public final class ServiceProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final List<String> command;
    private final Path log;
    private final URI health;
    private Process process;
    private int starts;

    /**
     * @param name      for logs and reports
     * @param classPath the class path holding {@code io.alstream.local.cli.AlstreamCli} (this JVM's, usually)
     * @param heap      {@code -Xmx} of the child
     * @param args      the command line after {@code alstream}
     * @param health    a URL that answers 200 once the service serves
     */
    public ServiceProcess(String name, String classPath, String heap, List<String> args, Path log, URI health) {
        this.name = name;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.apache.avro.limits.collectionItems.maxLength=10000000",
                "-cp", classPath, "io.alstream.local.cli.AlstreamCli"));
        cmd.addAll(args);
        this.command = List.copyOf(cmd);
        this.log = log;
        this.health = health;
    }

    public String name() {
        return name;
    }

    /** The command line, as it could be typed (for commands.txt). */
    public String commandLine() {
        return String.join(" ", command);
    }

    /** Starts the process (again) and waits until its health URL answers 200. */
    public synchronized ServiceProcess start(Duration timeout) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " still runs (pid " + process.pid() + ")");
        }
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "\n===== start " + (starts + 1) + " at " + java.time.Instant.now() + " =====\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
        starts++;
        awaitHealthy(timeout);
        LOG.info("{} up, pid {}", name, process.pid());
        return this;
    }

    /** Waits until the health URL answers 200; fails at once if the process exits. */
    public void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Process p = process;
            if (p == null || !p.isAlive()) {
                throw new IllegalStateException(name + " exited (code " + (p == null ? "?" : p.exitValue()) + ") while starting; its output: "
                        + log + "\n" + tail());
            }
            if (healthy()) {
                return;
            }
            sleep(250);
        }
        throw new IllegalStateException(name + " did not answer " + health + " within " + timeout.toSeconds() + " s; its output: "
                + log + "\n" + tail());
    }

    /** Its health URL answers 200 now. */
    public boolean healthy() {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code kill -9}: no shutdown hook, no drain, no flush. Waits until it is gone. */
    public synchronized void kill9() {
        end(true);
    }

    /** SIGTERM, as an operator's stop; SIGKILL if it is still alive after 30 s. */
    public synchronized void stop() {
        end(false);
    }

    private void end(boolean hard) {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(name + " is not running");
        }
        long pid = process.pid();
        if (hard) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping " + name, e);
        }
        LOG.warn("{} (pid {}) {}", name, pid, hard ? "killed with SIGKILL" : "stopped");
    }

    public synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public Path log() {
        return log;
    }

    /** The last lines of its output. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public synchronized void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
