package io.alstream.flink.config;

import java.io.Serializable;
import java.util.Objects;
import java.util.function.Function;

/**
 * One named setting with its default and a line of documentation. Every number a user can change is
 * one of these, declared once in {@link JobOptions}; the command line, the config file and the
 * README table all come from the same declaration.
 */
public final class ConfigOption<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String defaultValue;
    private final String description;
    private final SerializableParser<T> parser;
    private final String group;

    ConfigOption(String group, String key, String defaultValue, String description, SerializableParser<T> parser) {
        this.group = group;
        this.key = Objects.requireNonNull(key);
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
    }

    public String key() {
        return key;
    }

    /** The default as text; null when the option is required or has no default. */
    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    public String group() {
        return group;
    }

    T parse(String text) {
        try {
            return parser.apply(text.trim());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("option " + key + ": cannot read '" + text + "' (" + description + ")", e);
        }
    }

    /** A parser that can travel inside a Flink job graph. */
    public interface SerializableParser<T> extends Function<String, T>, Serializable {
    }
}
