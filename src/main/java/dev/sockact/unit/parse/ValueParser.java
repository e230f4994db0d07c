package dev.sockact.unit.parse;

/** Turns the text after {@code =} into a typed value, or says why it cannot. */
@FunctionalInterface
public interface ValueParser<T> {

    T parse(String value, ParseContext context) throws InvalidValueException;
}
