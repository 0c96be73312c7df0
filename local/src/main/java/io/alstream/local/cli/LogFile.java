package io.alstream.local.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.ConsoleAppender;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Where the libraries' log lines go for the long-running commands: a file, so the terminal carries the command's
 * own progress and summary; {@code --verbose} keeps them on the terminal as well. The levels stay those of
 * {@code log4j2.xml} (alstream's INFO, everyone's warnings).
 */
public final class LogFile {
    private LogFile() {
    }

    /** Sends every log line to {@code file} (appended), and off the terminal unless {@code verbose}. */
    public static void redirect(Path file, boolean verbose) throws java.io.IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!(LogManager.getContext(false) instanceof LoggerContext ctx)) {
            return; // another logging backend: it keeps its own configuration
        }
        Configuration config = ctx.getConfiguration();
        FileAppender appender = FileAppender.newBuilder()
                .setName("file")
                .withFileName(file.toString())
                .withAppend(true)
                .setLayout(PatternLayout.newBuilder().withPattern("%d{ISO8601} %-5level [%t] %c - %msg%n").withConfiguration(config).build())
                .setConfiguration(config)
                .build();
        appender.start();
        config.addAppender(appender);
        List<LoggerConfig> loggers = new java.util.ArrayList<>(config.getLoggers().values());
        if (!loggers.contains(config.getRootLogger())) {
            loggers.add(config.getRootLogger());
        }
        for (LoggerConfig logger : loggers) {
            boolean hadConsole = false;
            for (var a : List.copyOf(logger.getAppenders().values())) {
                if (a instanceof ConsoleAppender) {
                    hadConsole = true;
                    if (!verbose) {
                        logger.removeAppender(a.getName());
                    }
                }
            }
            // the root, and any logger whose lines do not reach the root, write to the file too
            if (logger == config.getRootLogger() || (hadConsole && !logger.isAdditive())) {
                logger.addAppender(appender, null, null);
            }
        }
        ctx.updateLoggers();
    }
}
