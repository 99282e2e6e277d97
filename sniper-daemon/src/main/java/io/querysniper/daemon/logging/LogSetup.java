package io.querysniper.daemon.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Configures logback programmatically, replacing whatever logback.xml set up. Done in code rather
 * than with conditional XML so the format is a plain command-line switch and tests can capture the
 * exact bytes a user would see.
 */
public final class LogSetup {

    /** Libraries whose INFO lines are chatter to an operator (connection churn, session ids). */
    static final List<String> QUIET = List.of("org.apache.zookeeper", "org.apache.curator", "com.zaxxer.hikari",
            "com.mysql.cj");

    /** Text lines: time, level, thread, logger, MDC (qs.node, qs.db, qs.rule), message (kill lines carry their fields in it). */
    static final String TEXT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{1} %mdc - %msg%n";

    private LogSetup() {
    }

    /**
     * Sends every log line to {@code out} (not closed by logback) in the given format.
     *
     * @param root level of the root logger (INFO for the daemon, WARN for one-shot commands)
     */
    public static void configure(LogFormat format, Level root, OutputStream out) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Encoder<ILoggingEvent> encoder = format == LogFormat.JSON ? jsonEncoder(ctx) : textEncoder(ctx);
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(ctx);
        appender.setName(format.name().toLowerCase());
        appender.setEncoder(encoder);
        appender.setImmediateFlush(true);
        appender.setOutputStream(new NonClosing(out));
        appender.start();
        Logger rootLogger = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        rootLogger.setLevel(root);
        rootLogger.addAppender(appender);
        for (String name : QUIET) {
            ctx.getLogger(name).setLevel(Level.WARN);
        }
    }

    private static Encoder<ILoggingEvent> textEncoder(LoggerContext ctx) {
        PatternLayoutEncoder e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(TEXT_PATTERN);
        e.start();
        return e;
    }

    private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext ctx) {
        JsonEncoder e = new JsonEncoder();
        e.setContext(ctx);
        // The logger context's properties and the event's sequence number are noise on every line.
        e.setWithContext(false);
        e.setWithSequenceNumber(false);
        e.setWithArguments(false);
        e.setWithFormattedMessage(true);
        e.setWithMessage(false);
        e.start();
        return e;
    }

    /** Keeps logback from closing System.out (or a test's buffer) when the context is reset. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
