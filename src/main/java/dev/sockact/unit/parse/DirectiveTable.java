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
        /** Parsed into the model and acted on. */
        HONOURED,
        /** A key systemd knows that sockact does not act on: one warning, then ignored. */
        UNSUPPORTED,
        /** Honoured, but systemd 252 does not know it (newer systemd, or a sockact extension). */
        NOT_IN_SYSTEMD_252
    }

    /** Applies one value to the builder. */
    @FunctionalInterface
    public interface Handler<B> {
        void apply(B builder, String value, ParseContext context) throws InvalidValueException;
    }

    /**
     * One key.
     *
     * @param portabilityNote for {@link Support#NOT_IN_SYSTEMD_252}: what to tell a user who needs the unit to
     *                        load under systemd 252
     */
    public record Directive<B>(String key, Support support, Handler<B> handler, String portabilityNote) {
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
            rows.put(key, new Directive<>(key, Support.HONOURED, handler, null));
            return this;
        }

        /** Marks the last-added key as one systemd 252 does not know. */
        public Builder<B> notInSystemd252(String key, String portabilityNote) {
            Directive<B> row = rows.get(key);
            rows.put(key, new Directive<>(key, Support.NOT_IN_SYSTEMD_252, row.handler(), portabilityNote));
            return this;
        }

        /** Keys sockact recognises but does not act on. */
        public Builder<B> unsupported(Iterable<String> keys) {
            for (String key : keys) {
                rows.putIfAbsent(key, new Directive<>(key, Support.UNSUPPORTED, (b, v, c) -> { }, null));
            }
            return this;
        }

        public DirectiveTable<B> build() {
            return new DirectiveTable<>(section, new LinkedHashMap<>(rows));
        }
    }
}
