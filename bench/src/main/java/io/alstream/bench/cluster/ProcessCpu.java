package io.alstream.bench.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time read from Linux's /proc: a process's user + system time from {@code /proc/<pid>/stat} (all its threads),
 * and the whole machine's busy and niced time from the first line of {@code /proc/stat}, all in seconds. The cluster
 * benchmark reads them at a phase's start and end, so its report says how many CPU seconds per wall second each JVM
 * (JobManager, TaskManagers, the benchmark's own JVM with Kafka and the registry) and everything else on the machine
 * took: on a 2-core machine they share the cores, and the sum shows which process bounds a saturated rate.
 * NaN off Linux or when the process is gone.
 */
final class ProcessCpu {
    /** Clock ticks per second of /proc's times ({@code getconf CLK_TCK}; 100 on every Linux this runs on). */
    static final double TICKS_PER_SECOND = clockTicks();

    private ProcessCpu() {
    }

    /** CPU seconds (user + system, every thread) the process {@code pid} has used so far; NaN when unreadable. */
    static double seconds(long pid) {
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII),
                    TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * User + system seconds from one {@code /proc/<pid>/stat} line. The second field (the command name in
     * parentheses) may hold spaces and parentheses, so the fields are counted from the last ')': there the state
     * is field 3, utime field 14 and stime field 15 (proc(5)).
     */
    static double parseStat(String line, double ticksPerSecond) {
        int close = line.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + line);
        }
        String[] f = line.substring(close + 1).trim().split("\\s+");
        if (f.length < 13) {
            throw new IllegalArgumentException("a /proc/<pid>/stat line with " + (f.length + 2) + " fields");
        }
        long utime = Long.parseLong(f[11]); // field 14
        long stime = Long.parseLong(f[12]); // field 15
        return (utime + stime) / ticksPerSecond;
    }

    /**
     * The machine's CPU seconds so far, summed over its CPUs: {busy, niced}, busy being user + nice + system + irq +
     * softirq + steal (idle and iowait left out), niced the part of it at a positive nice value (the other engineer's
     * benchmarks run under {@code nice -n 19}). {NaN, NaN} when unreadable.
     */
    static double[] machine() {
        try {
            String first = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
            return parseMachine(first, TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }

    /** {busy, niced} seconds from the aggregate "cpu" line of /proc/stat. */
    static double[] parseMachine(String cpuLine, double ticksPerSecond) {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) {
            throw new IllegalArgumentException("not the aggregate cpu line of /proc/stat: " + cpuLine);
        }
        long user = Long.parseLong(f[1]);
        long nice = Long.parseLong(f[2]);
        long system = Long.parseLong(f[3]);
        long irq = Long.parseLong(f[6]);
        long softirq = Long.parseLong(f[7]);
        long steal = Long.parseLong(f[8]);
        // user includes guest time and nice includes guest_nice (proc(5)): not added again
        return new double[] {(user + nice + system + irq + softirq + steal) / ticksPerSecond, nice / ticksPerSecond};
    }

    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor() == 0) {
                return Double.parseDouble(out);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no getconf: the kernel's USER_HZ is 100 on x86 and arm64
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
