package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code sockctl disable [--now] UNIT...}: see {@link InstallCommand}. */
@Command(name = "disable", description = "Disable units: remove the links that make sockactd start them.")
public final class DisableCommand extends InstallCommand {
    public DisableCommand() {
        super(false);
    }

    @Override
    Request request(List<String> units) {
        return new Request.Disable(units);
    }

    @Override
    Request.Job nowJob(List<String> units) {
        return new Request.Stop(units);
    }
}
