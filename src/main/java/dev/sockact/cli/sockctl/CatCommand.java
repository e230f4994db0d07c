package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.unit.load.RegularFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sockctl cat UNIT...}: like {@code systemctl cat}, each file of the unit (fragment, then drop-ins) under a
 * {@code # PATH} line, files separated by an empty line. sockactd says which files it loaded; sockctl reads them.
 */
@Command(name = "cat", description = "Show the files of units, as systemctl cat does.")
public final class CatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    ControlOptions control;

    @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket.")
    List<String> units;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ControlOptions.Result result = control.query(ControlOptions.request("cat", units), err);
        if (!(result.data() instanceof List<?> list)) {
            return result.status();
        }
        int status = result.status();
        boolean first = true;
        for (Object o : list) {
            Map<?, ?> u = (Map<?, ?>) o;
            if ("not-found".equals(u.get("load"))) {
                out.flush();
                err.println("No files found for " + u.get("unit") + ".");
                err.flush();
                status = ControlProtocol.FAILURE;
                continue;
            }
            List<String> files = new ArrayList<>();
            if (u.get("fragmentPath") instanceof String f && !f.isEmpty()) {
                files.add(f);
            }
            if (u.get("dropInPaths") instanceof List<?> d) {
                d.forEach(p -> files.add(String.valueOf(p)));
            }
            for (String file : files) {
                if (!first) {
                    out.println();
                }
                first = false;
                out.println("# " + file);
                try {
                    String text = new String(RegularFiles.read(Path.of(file), RegularFiles.MAX_UNIT_FILE),
                            StandardCharsets.UTF_8);
                    out.print(text);
                    if (!text.isEmpty() && !text.endsWith("\n")) {
                        out.println();
                    }
                } catch (IOException e) {
                    out.flush();
                    err.println("Failed to read \"" + file + "\": " + (e.getMessage() == null ? e : e.getMessage()));
                    err.flush();
                    status = ControlProtocol.FAILURE;
                }
            }
        }
        return status;
    }
}
