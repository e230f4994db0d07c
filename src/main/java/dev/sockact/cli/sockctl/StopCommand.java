package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

/** {@code sockctl stop UNIT...}: see {@link JobCommand}. */
@Command(name = "stop", description = "Stop units (a socket closes its listeners).")
public final class StopCommand extends JobCommand {
    public StopCommand() {
        super(Request.Stop::new);
    }
}
