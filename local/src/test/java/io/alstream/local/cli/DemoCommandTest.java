package io.alstream.local.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import io.alstream.local.demo.DemoSettings;

/** What {@code alstream demo --human} asks for: a person's pace, except where the user chose otherwise. */
class DemoCommandTest {
    private static DemoSettings parse(String... args) {
        DemoCommand c = new DemoCommand();
        new CommandLine(c).parseArgs(args);
        return c.settings();
    }

    @Test
    void withoutHumanTheDemoRunsAtTheCrowdsPace() {
        DemoSettings s = parse();
        assertFalse(s.human());
        assertNull(s.humanWorker());
        assertEquals(25, s.eventsPerSecond());
        assertArrayEquals(new long[] {50, 300}, new long[] {s.minThinkMs(), s.maxThinkMs()});
        assertEquals(280, s.timeoutSeconds());
    }

    @Test
    void humanSlowsTheLoopToAPersonsPaceUnlessTheUserChose() {
        DemoSettings s = parse("--human");
        assertTrue(s.human());
        assertEquals("you", s.humanWorker());
        assertEquals(5, s.eventsPerSecond());
        assertArrayEquals(new long[] {1500, 5000}, new long[] {s.minThinkMs(), s.maxThinkMs()});
        assertEquals(1800, s.timeoutSeconds());

        DemoSettings chosen = parse("--human", "--human-id", "ann", "--rate", "12", "--think-ms", "10,20", "--timeout", "90");
        assertEquals("ann", chosen.humanWorker());
        assertEquals(12, chosen.eventsPerSecond());
        assertArrayEquals(new long[] {10, 20}, new long[] {chosen.minThinkMs(), chosen.maxThinkMs()});
        assertEquals(90, chosen.timeoutSeconds());
    }
}
