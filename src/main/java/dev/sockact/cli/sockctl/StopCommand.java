package dev.sockact.cli.sockctl;

import picocli.CommandLine.Command;

/** {@code sockctl stop UNIT...}: see {@link JobCommand}. */
@Command(name = "stop", description = "Stop units (a socket closes its listeners).")
public final class StopCommand extends JobCommand {
    public StopCommand() {
        super("stop");
    }
}
