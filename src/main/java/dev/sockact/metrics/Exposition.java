package dev.sockact.metrics;

import java.util.HashSet;
import java.util.Set;

/**
 * Prometheus's text exposition format, version 0.0.4: one family at a time, its {@code # HELP} and {@code # TYPE}
 * lines, then its samples. A family is written once per scrape even when several sources add to it (each
 * hosted proxy's samples of the same family follow one header), as the format requires.
 */
public final class Exposition {
    /** The Content-Type of this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** What a family's samples mean to Prometheus. */
    public enum Type {
        COUNTER("counter"), GAUGE("gauge"), HISTOGRAM("histogram");

        private final String word;

        Type(String word) {
            this.word = word;
        }
    }

    private final StringBuilder text = new StringBuilder(4096);
    private final Set<String> written = new HashSet<>();

    /**
     * Starts family {@code name}, unless it was started before in this scrape (its samples then join it).
     * Counters' names end in {@code _total}, and in this format (unlike OpenMetrics) the header names them with it.
     */
    public Exposition family(String name, Type type, String help) {
        if (written.add(name)) {
            text.append("# HELP ").append(name).append(' ');
            escape(help, false);
            text.append("\n# TYPE ").append(name).append(' ').append(type.word).append('\n');
        }
        return this;
    }

    /** One sample; {@code labels} alternate names and values. */
    public Exposition sample(String name, double value, String... labels) {
        text.append(name);
        if (labels.length > 0) {
            text.append('{');
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (i > 0) {
                    text.append(',');
                }
                text.append(labels[i]).append("=\"");
                escape(labels[i + 1], true);
                text.append('"');
            }
            text.append('}');
        }
        text.append(' ').append(number(value)).append('\n');
        return this;
    }

    /** A whole counter family with one sample. */
    public Exposition counter(String name, String help, double value, String... labels) {
        return family(name, Type.COUNTER, help).sample(name, value, labels);
    }

    /** A whole gauge family with one sample. */
    public Exposition gauge(String name, String help, double value, String... labels) {
        return family(name, Type.GAUGE, help).sample(name, value, labels);
    }

    @Override
    public String toString() {
        return text.toString();
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "+Inf" : "-Inf";
        }
        return Double.toString(value);
    }

    /** Backslash and newline always; the double quote too inside a label value. */
    private void escape(String value, boolean labelValue) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '"' -> text.append(labelValue ? "\\\"" : "\"");
                default -> text.append(c);
            }
        }
    }
}
