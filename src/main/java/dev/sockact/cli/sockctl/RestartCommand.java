package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code sockctl restart UNIT...}: see {@link JobCommand}. */
@Command(name = "restart", description = "Stop, then start units.")
public final class RestartCommand extends JobCommand {
    @Override
    Request.Job request(List<String> units) {
        return new Request.Restart(units);
    }
}
