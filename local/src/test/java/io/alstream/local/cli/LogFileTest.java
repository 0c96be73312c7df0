package io.alstream.local.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** `demo` and `run` keep the terminal for their own lines: the libraries' log lines go to a file. */
class LogFileTest {

    @Test
    void libraryLinesGoToTheFileAndOffTheTerminalUnlessVerbose(@TempDir Path tmp) throws Exception {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        try {
            Path log = tmp.resolve("logs/run.log");
            LogFile.redirect(log, false);
            assertFalse(ctx.getConfiguration().getRootLogger().getAppenders().values().stream()
                    .anyMatch(a -> a instanceof ConsoleAppender), "a console appender left on the root logger");
            LoggerFactory.getLogger("org.apache.kafka.clients.NetworkClient").warn("a library's warning {}", 42);
            String written = Files.readString(log);
            assertTrue(written.contains("WARN") && written.contains("org.apache.kafka.clients.NetworkClient - a library's warning 42"),
                    written);

            ctx.reconfigure();
            Path verbose = tmp.resolve("verbose.log");
            LogFile.redirect(verbose, true);
            assertTrue(ctx.getConfiguration().getRootLogger().getAppenders().values().stream()
                    .anyMatch(a -> a instanceof ConsoleAppender), "--verbose keeps the terminal");
            LoggerFactory.getLogger("org.apache.flink.runtime").warn("and with verbose");
            assertTrue(Files.readString(verbose).contains("and with verbose"));
        } finally {
            ctx.reconfigure(); // the test JVM's own logging back as it was
        }
    }
}
