package dev.sockact.unit.parse;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The keys of one section and what each does with its value: one row per key, as systemd's
 * load-fragment-gperf.gperf.in has. {@code B} is the builder the values go into.
 */
public final class DirectiveTable<B> {

    /** What sockact does with a key. */
    public enum Support {
        /** Parsed into the model and acted on, with systemd 252's semantics. */
        HONOURED,
        /** A key systemd knows that sockact does not act on: one warning, then ignored. */
        UNSUPPORTED,
        /**
         * A key sockact parses into the model (its value is checked, other settings may depend on it, sockctl show
         * prints it) but does not act on: one warning, as for {@link #UNSUPPORTED}.
         */
        PARSED_NOT_ACTED_ON,
        /** Honoured, but systemd 252 does not know it (newer systemd, or a sockact extension). */
        NOT_IN_SYSTEMD_252,
        /**
         * A key sockact cannot honour and will not quietly run without: any assignment is a fatal error with a
         * message that says why, so the unit does not load.
         */
        REFUSED;

        /** Whether the key does something in sockact (the "acted on" column of docs/unit-keys.md). */
        public boolean actedOn() {
            return this == HONOURED || this == NOT_IN_SYSTEMD_252;
        }
    }

    /** The systemd version of 252's keys, whose semantics sockact follows for them. */
    public static final int SYSTEMD_252 = 252;
    /** {@link Directive#version()} of a key only sockact knows. */
    public static final int SOCKACT_ONLY = 0;

    /** Applies one value to the builder. */
    @FunctionalInterface
    public interface Handler<B> {
        void apply(B builder, String value, ParseContext context) throws InvalidValueException;
    }

    /**
     * One key.
     *
     * @param portabilityNote for {@link Support#NOT_IN_SYSTEMD_252}: what to tell a user who needs the unit to
     *                        load under systemd 252; for {@link Support#REFUSED}: why sockact refuses the key
     * @param version         the systemd version whose semantics sockact follows for the key: {@link #SYSTEMD_252},
     *                        the newer version that introduced it, or {@link #SOCKACT_ONLY}
     */
    public record Directive<B>(String key, Support support, Handler<B> handler, String portabilityNote, int version) {
    }

    private final String section;
    private final Map<String, Directive<B>> directives;

    private DirectiveTable(String section, Map<String, Directive<B>> directives) {
        this.section = section;
        this.directives = Collections.unmodifiableMap(directives);
    }

    public static <B> Builder<B> section(String name) {
        return new Builder<>(name);
    }

    public String section() {
        return section;
    }

    public Directive<B> get(String key) {
        return directives.get(key);
    }

    public Map<String, Directive<B>> directives() {
        return directives;
    }

    /** Builds a table; later rows for the same key replace earlier ones. */
    public static final class Builder<B> {
        private final String section;
        private final Map<String, Directive<B>> rows = new LinkedHashMap<>();

        private Builder(String section) {
            this.section = section;
        }

        /** A plain value: an empty assignment goes to the parser, which warns as systemd does. */
        public <T> Builder<B> one(String key, ValueParser<T> parser, BiConsumer<B, T> setter) {
            return custom(key, (builder, value, context) -> setter.accept(builder, parser.parse(value, context)));
        }

        /** A value where an empty assignment resets to the default ({@code reset}). */
        public <T> Builder<B> resettable(String key, ValueParser<T> parser, BiConsumer<B, T> setter,
                                         Consumer<B> reset) {
            return custom(key, (builder, value, context) -> {
                if (value.isEmpty()) {
                    reset.accept(builder);
                } else {
                    setter.accept(builder, parser.parse(value, context));
                }
            });
        }

        /** A list that each assignment appends one element to; an empty assignment clears it. */
        public <T> Builder<B> list(String key, ValueParser<T> parser, Function<B, List<T>> list) {
            return custom(key, (builder, value, context) -> {
                if (value.isEmpty()) {
                    list.apply(builder).clear();
                } else {
                    list.apply(builder).add(parser.parse(value, context));
                }
            });
        }

        /** A list that each assignment appends several elements to; an empty assignment clears it. */
        public <T> Builder<B> listOfMany(String key, ValueParser<List<T>> parser, Function<B, List<T>> list) {
            return custom(key, (builder, value, context) -> {
                if (value.isEmpty()) {
                    list.apply(builder).clear();
                } else {
                    list.apply(builder).addAll(parser.parse(value, context));
                }
            });
        }

        /** A list that an empty assignment does not clear (systemd's dependency keys). */
        public <T> Builder<B> appendOnly(String key, ValueParser<List<T>> parser, Function<B, List<T>> list) {
            return custom(key, (builder, value, context) -> list.apply(builder).addAll(parser.parse(value, context)));
        }

        /** Adds the rows of a group of keys that has a class of its own. */
        public Builder<B> include(UnaryOperator<Builder<B>> rows) {
            return rows.apply(this);
        }

        public Builder<B> custom(String key, Handler<B> handler) {
            rows.put(key, new Directive<>(key, Support.HONOURED, handler, null, SYSTEMD_252));
            return this;
        }

        /** Marks the last-added key as a sockact extension that no systemd knows. */
        public Builder<B> notInSystemd252(String key, String portabilityNote) {
            return notInSystemd252(key, SOCKACT_ONLY, portabilityNote);
        }

        /** Marks the last-added key as one systemd {@code version} (newer than 252) introduced, with its semantics. */
        public Builder<B> notInSystemd252(String key, int version, String portabilityNote) {
            Directive<B> row = rows.get(key);
            rows.put(key, new Directive<>(key, Support.NOT_IN_SYSTEMD_252, row.handler(), portabilityNote, version));
            return this;
        }

        /** A key of systemd {@code version} that sockact refuses: {@code reason} says why, in the fatal error. */
        public Builder<B> refused(String key, int version, String reason) {
            rows.put(key, new Directive<>(key, Support.REFUSED, (b, v, c) -> { }, reason, version));
            return this;
        }

        /** Marks the last-added key as parsed into the model but not acted on (the daemon does nothing with it). */
        public Builder<B> notActedOn(String key) {
            Directive<B> row = rows.get(key);
            rows.put(key, new Directive<>(key, Support.PARSED_NOT_ACTED_ON, row.handler(), null, row.version()));
            return this;
        }

        /** Keys sockact recognises but does not act on. */
        public Builder<B> unsupported(Iterable<String> keys) {
            for (String key : keys) {
                rows.putIfAbsent(key, new Directive<>(key, Support.UNSUPPORTED, (b, v, c) -> { }, null, SYSTEMD_252));
            }
            return this;
        }

        public DirectiveTable<B> build() {
            return new DirectiveTable<>(section, new LinkedHashMap<>(rows));
        }
    }
}
