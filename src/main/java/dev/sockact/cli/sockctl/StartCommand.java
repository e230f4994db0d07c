package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

/** {@code sockctl start UNIT...}: see {@link JobCommand}. */
@Command(name = "start", description = "Start units (a socket listens; a service gets its sockets' fds).")
public final class StartCommand extends JobCommand {
    public StartCommand() {
        super(Request.Start::new);
    }
}
