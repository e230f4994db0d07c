package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** A state table's cells: every state × event, and their expected outcomes, lines {@code STATE EVENT -> OUTCOME}. */
final class Cells {
    private Cells() {
        throw new AssertionError();
    }

    /** Every (state, event) pair, for a parameterized test. */
    static <S extends Enum<S>, E extends Enum<E>> Stream<Arguments> all(Class<S> states, Class<E> events) {
        List<Arguments> cells = new ArrayList<>();
        for (S state : states.getEnumConstants()) {
            for (E event : events.getEnumConstants()) {
                cells.add(Arguments.of(state, event));
            }
        }
        return cells.stream();
    }

    /** The outcome the table gives for {@code state} and {@code event}; fails the test if it has no row. */
    static String expected(String table, Enum<?> state, Enum<?> event) {
        String cell = state.name() + " " + event.name();
        for (String line : table.lines().toList()) {
            int arrow = line.indexOf(" -> ");
            if (arrow > 0 && line.substring(0, arrow).strip().equals(cell)) {
                return line.substring(arrow + 4).strip();
            }
        }
        return fail("No row for " + cell + " in the table");
    }
}
