package dev.sockact.unit.load;

import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Every .socket and .service shipped on this machine loads without a diagnostic systemd would not give. */
class MachineUnitsTest {

    private static final List<Path> DIRS = List.of(Path.of("/lib/systemd/system"), Path.of("/usr/lib/systemd/user"));

    @Test
    void shippedUnitsLoadCleanly() throws IOException {
        List<String> problems = new ArrayList<>();
        int loaded = 0;
        for (Path dir : DIRS) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            ManagerScope scope = dir.toString().contains("/user") ? ManagerScope.USER : ManagerScope.SYSTEM;
            UnitLoader loader = new UnitLoader(List.of(dir), HostInfo.current(scope));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (!(name.endsWith(".socket") || name.endsWith(".service")) || UnitFiles.isMasked(file)) {
                        continue;
                    }
                    // systemd never loads a template itself, only instances of it
                    String unit = name.contains("@.") ? name.replace("@.", "@instance.") : name;
                    LoadResult<?> result = unit.endsWith(".socket") ? loader.loadSocket(unit) : loader.loadService(unit);
                    loaded++;
                    for (Diagnostic d : result.diagnostics()) {
                        if (!d.isSockactOnly()) {
                            problems.add(d.format());
                        }
                    }
                }
            }
        }
        assumeTrue(loaded > 0, "no systemd units installed on this machine");
        assertThat(problems).as("diagnostics systemd does not give, over %d units", loaded).isEmpty();
    }
}
