package io.querysniper.daemon.cli;

import io.querysniper.daemon.logging.LogFormat;
import picocli.CommandLine;

import java.util.Locale;

/** Accepts {@code text} and {@code json}, in any case. */
public final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
    @Override
    public LogFormat convert(String value) {
        try {
            return LogFormat.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("expected text or json, got '" + value + "'");
        }
    }
}
