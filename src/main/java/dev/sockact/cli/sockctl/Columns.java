package dev.sockact.cli.sockctl;

import java.io.PrintWriter;
import java.util.List;

/** systemctl's plain tables: one space between columns, each padded to its widest cell except the last. */
final class Columns {
    private Columns() {
        throw new AssertionError();
    }

    /** Prints {@code table} (every line as many cells) from column {@code first} on. */
    static void print(PrintWriter out, List<String[]> table, int first) {
        if (table.isEmpty()) {
            return;
        }
        int columns = table.getFirst().length;
        int[] width = new int[columns];
        for (String[] line : table) {
            for (int i = first; i < columns; i++) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        for (String[] line : table) {
            StringBuilder b = new StringBuilder();
            for (int i = first; i < columns; i++) {
                if (i > first) {
                    b.append(' ');
                }
                b.append(line[i]);
                if (i < columns - 1) {
                    b.append(" ".repeat(width[i] - line[i].length()));
                }
            }
            out.println(b);
        }
    }
}
