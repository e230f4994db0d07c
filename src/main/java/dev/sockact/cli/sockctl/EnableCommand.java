package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

/** {@code sockctl enable [--now] UNIT...}: see {@link InstallCommand}. */
@Command(name = "enable", description = "Enable units: sockactd starts them when it starts (links as systemd's).")
public final class EnableCommand extends InstallCommand {
    public EnableCommand() {
        super(true, Request.Enable::new, Request.Start::new);
    }
}
