package dev.sockact.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Prometheus's text exposition format, version 0.0.4: one family at a time, its {@code # HELP} and {@code # TYPE}
 * lines, then its samples. A family is written once per scrape even when several sources add to it, and its
 * samples stay together (each hosted proxy's samples of a family follow its one header, though the proxies write
 * their families one after another), as the format requires.
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

    /** Each family's header and samples, in the order the families were started. */
    private final Map<String, StringBuilder> families = new LinkedHashMap<>();
    /** The family the next samples belong to. */
    private StringBuilder text = new StringBuilder();

    /**
     * Starts family {@code name}, unless it was started before in this scrape (its samples then join it).
     * Counters' names end in {@code _total}, and in this format (unlike OpenMetrics) the header names them with it.
     */
    public Exposition family(String name, Type type, String help) {
        StringBuilder family = families.get(name);
        if (family == null) {
            family = new StringBuilder(256);
            families.put(name, family);
            text = family;
            text.append("# HELP ").append(name).append(' ');
            escape(help, false);
            text.append("\n# TYPE ").append(name).append(' ').append(type.word).append('\n');
        }
        text = family;
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
        StringBuilder all = new StringBuilder(4096);
        families.values().forEach(all::append);
        return all.toString();
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
