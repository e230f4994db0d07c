package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

/** {@code sockctl disable [--now] UNIT...}: see {@link InstallCommand}. */
@Command(name = "disable", description = "Disable units: remove the links that make sockactd start them.")
public final class DisableCommand extends InstallCommand {
    public DisableCommand() {
        super(false, Request.Disable::new, Request.Stop::new);
    }
}
