package dev.sockact.unit.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * docs/unit-keys.md, the table of every key of every section and what sockact does with it, is derived from the
 * directive tables the parser uses, so it cannot say "acted on" of a key the code ignores. The test fails when the
 * file is stale; {@code -Dsockact.writeDocs=true} writes it anew.
 */
class UnitKeysDocTest {
    private static final Path DOC = Path.of("docs/unit-keys.md");

    @Test
    void theKeyTableMatchesTheDirectiveTables() throws IOException {
        String expected = render();
        if (Boolean.getBoolean("sockact.writeDocs")) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(DOC, StandardCharsets.UTF_8))
                .as("docs/unit-keys.md is stale: run ./mvnw -q -B -o test -Dtest=UnitKeysDocTest -Dsockact.writeDocs=true")
                .isEqualTo(expected);
    }

    static String render() {
        StringBuilder out = new StringBuilder();
        out.append("# Unit-file keys: what sockact does with each\n\n")
                .append("Generated from the parser's directive tables by `UnitKeysDocTest` (a test fails when this file is\n")
                .append("stale; `./mvnw -q -B -o test -Dtest=UnitKeysDocTest -Dsockact.writeDocs=true` writes it anew).\n\n")
                .append("- **acted on**: parsed into the unit's model and acted on. Where a setting cannot be honoured on this\n")
                .append("  machine (no privilege, no kernel support, a tool missing), the unit or its start fails with a message that\n")
                .append("  names the setting; [sockactd.md](sockactd.md) says which, per setting.\n")
                .append("- **acted on, newer than 252**: as above; systemd 252 does not know the key (the version whose semantics\n")
                .append("  are followed is in [unit-files.md](unit-files.md)).\n")
                .append("- **ignored with a warning**: a key systemd 252 knows that sockact does not act on: one warning per unit\n")
                .append("  and key (`Unknown key` for keys systemd does not know either).\n");
        List<DirectiveTable<?>> tables = List.of(UnitSectionDirectives.UNIT, SocketDirectives.SOCKET,
                ServiceDirectives.SERVICE, UnitSectionDirectives.INSTALL);
        for (DirectiveTable<?> table : tables) {
            Map<String, String> rows = new TreeMap<>();
            int actedOn = 0;
            for (var directive : table.directives().values()) {
                String what = switch (directive.support()) {
                    case HONOURED -> "acted on";
                    case NOT_IN_SYSTEMD_252 -> "acted on, newer than 252";
                    case UNSUPPORTED -> "ignored with a warning";
                };
                if (directive.support() != DirectiveTable.Support.UNSUPPORTED) {
                    actedOn++;
                }
                rows.put(directive.key(), what);
            }
            out.append("\n## [").append(table.section()).append("]\n\n")
                    .append(actedOn).append(" of ").append(rows.size()).append(" keys acted on.\n\n")
                    .append("| key | what sockact does |\n|---|---|\n");
            rows.forEach((key, what) -> out.append("| `").append(key).append("=` | ").append(what).append(" |\n"));
        }
        return out.toString();
    }
}
