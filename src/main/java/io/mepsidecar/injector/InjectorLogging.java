package io.mepsidecar.injector;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * One line per log record on stderr, as {@code 2026-11-03T10:15:30.123Z INFO  [AdmissionHandler] message}.
 * Quarkus' logging is not started in injector mode, so the injector sets up java.util.logging itself.
 */
final class InjectorLogging {

    private InjectorLogging() {
    }

    static void configure() {
        Logger root = Logger.getLogger("");
        for (Handler handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(new OneLineFormatter());
        console.setLevel(Level.INFO);
        root.addHandler(console);
        root.setLevel(Level.INFO);
    }

    private static final class OneLineFormatter extends Formatter {

        @Override
        public String format(LogRecord record) {
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            String line = Instant.ofEpochMilli(record.getMillis()) + " " + String.format("%-5s", level(record.getLevel()))
                    + " [" + logger.substring(logger.lastIndexOf('.') + 1) + "] " + formatMessage(record);
            if (record.getThrown() != null) {
                line += " | " + record.getThrown();
            }
            return line + System.lineSeparator();
        }

        private static String level(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            return level.intValue() >= Level.WARNING.intValue() ? "WARN" : level.getName();
        }
    }
}
