package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

import java.util.List;

/** {@code sockctl enable [--now] UNIT...}: see {@link InstallCommand}. */
@Command(name = "enable", description = "Enable units: sockactd starts them when it starts (links as systemd's).")
public final class EnableCommand extends InstallCommand {
    public EnableCommand() {
        super(true);
    }

    @Override
    Request request(List<String> units) {
        return new Request.Enable(units);
    }

    @Override
    Request.Job nowJob(List<String> units) {
        return new Request.Start(units);
    }
}
