package io.alstream.bench.cluster;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The /proc parsing of the cluster benchmark's CPU table, on this JVM's real /proc/self/stat and /proc/stat, against
 * the JVM's own account of its CPU time (com.sun.management's process CPU time), which reads the same kernel counters
 * by another route.
 */
class ProcessCpuTest {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @Test
    void thisProcessesCpuSecondsAgreeWithTheJvmsOwnAccount() {
        long pid = ProcessHandle.current().pid();
        // spend some CPU on this thread first, so the figures are well above the clock tick
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long until = threads.getCurrentThreadCpuTime() + 300_000_000L;
        double sink = 0;
        while (threads.getCurrentThreadCpuTime() < until) {
            for (int i = 0; i < 100_000; i++) {
                sink += Math.sqrt(i + sink);
            }
        }
        assertTrue(sink > 0);
        double before = OS.getProcessCpuTime() / 1e9;
        double proc = ProcessCpu.seconds(pid);
        double after = OS.getProcessCpuTime() / 1e9;
        assertTrue(proc >= 0.3, "at least the 0.3 s this thread spent: " + proc);
        // /proc's times are whole clock ticks (10 ms), and other threads of this JVM run between the readings
        double slack = 3 / ProcessCpu.TICKS_PER_SECOND + 0.02 * after;
        assertTrue(proc >= before - slack && proc <= after + slack,
                "/proc/" + pid + "/stat says " + proc + " s, the JVM " + before + " .. " + after + " s");
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() throws Exception {
        String real = Files.readString(Path.of("/proc/self/stat")).trim();
        double expected = ProcessCpu.parseStat(real, 100);
        String odd = real.substring(0, real.indexOf('(')) + "(a b) c (d)" + real.substring(real.lastIndexOf(')') + 1);
        assertEquals(expected, ProcessCpu.parseStat(odd, 100), 0.0);
        // utime 1234 and stime 766 ticks at fields 14 and 15: 20 s at 100 ticks a second
        String made = "42 (x) y) S 1 2 3 4 5 6 7 8 9 10 1234 766 11 12 20 0 1 0 99 100 10";
        assertEquals(20.0, ProcessCpu.parseStat(made, 100), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.parseStat("42 x S 1 2", 100));
    }

    @Test
    void theMachinesBusyTimeHoldsThisProcessesAndLeavesOutIdle() throws Exception {
        double[] machine = ProcessCpu.machine();
        double self = ProcessCpu.seconds(ProcessHandle.current().pid());
        assertTrue(machine[0] >= self, "the machine's busy seconds " + machine[0] + " hold this JVM's " + self);
        assertTrue(machine[1] >= 0 && machine[1] <= machine[0], "niced " + machine[1] + " of busy " + machine[0]);
        String first = Files.readAllLines(Path.of("/proc/stat")).get(0);
        String[] f = first.trim().split("\\s+");
        long idle = Long.parseLong(f[4]);
        long all = 0;
        for (int i = 1; i <= 8; i++) {
            all += Long.parseLong(f[i]);
        }
        long iowait = Long.parseLong(f[5]);
        double[] parsed = ProcessCpu.parseMachine(first, 100);
        assertEquals((all - idle - iowait) / 100.0, parsed[0], 1e-9);
        assertEquals(Long.parseLong(f[2]) / 100.0, parsed[1], 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.parseMachine("cpu0 1 2 3 4 5 6 7 8", 100));
    }
}
