package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import dev.sockact.ctl.UnitFiles;
import dev.sockact.unit.load.RegularFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code sockctl cat UNIT...}: like {@code systemctl cat}, each file of the unit (fragment, then drop-ins) under a
 * {@code # PATH} line, files separated by an empty line. sockactd says which files it loaded; sockctl reads them.
 */
@Command(name = "cat", description = "Show the files of units, as systemctl cat does.")
public final class CatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket.")
    List<String> units;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Reply reply = ControlOptions.of(spec).query(new Request.Cat(ControlOptions.unitNames(units)), err);
        if (!(reply instanceof Reply.Files found)) {
            return reply.exitStatus();
        }
        int status = reply.exitStatus();
        boolean first = true;
        for (UnitFiles u : found.units()) {
            if (!u.found()) {
                out.flush();
                err.println("No files found for " + u.unit() + ".");
                err.flush();
                status = ControlProtocol.FAILURE;
                continue;
            }
            List<String> files = new ArrayList<>();
            if (!u.fragmentPath().isEmpty()) {
                files.add(u.fragmentPath());
            }
            files.addAll(u.dropInPaths());
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
