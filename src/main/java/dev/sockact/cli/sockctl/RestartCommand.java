package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

/** {@code sockctl restart UNIT...}: see {@link JobCommand}. */
@Command(name = "restart", description = "Stop, then start units.")
public final class RestartCommand extends JobCommand {
    public RestartCommand() {
        super(Request.Restart::new);
    }
}
