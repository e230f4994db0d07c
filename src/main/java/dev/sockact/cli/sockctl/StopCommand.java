package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code sockctl stop UNIT...}: see {@link JobCommand}. */
@Command(name = "stop", description = "Stop units (a socket closes its listeners).")
public final class StopCommand extends JobCommand {
    @Override
    Request.Job request(List<String> units) {
        return new Request.Stop(units);
    }
}
