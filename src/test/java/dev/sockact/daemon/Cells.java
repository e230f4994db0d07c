package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.fail;

/** The expected outcome of one cell of a state table written as lines {@code STATE EVENT -> OUTCOME}. */
final class Cells {
    private Cells() {
        throw new AssertionError();
    }

    static String expected(String table, String cell) {
        for (String line : table.lines().toList()) {
            int arrow = line.indexOf(" -> ");
            if (arrow > 0 && line.substring(0, arrow).strip().equals(cell)) {
                return line.substring(arrow + 4).strip();
            }
        }
        return fail("No row for " + cell + " in the table");
    }
}
