package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;

/**
 * {@code sockctl reload-unit UNIT...}: systemctl's {@code reload UNIT}, under another name because
 * {@code sockctl reload} is daemon-reload. Runs the services' ExecReload= (with $MAINPID); see {@link JobCommand}.
 */
@Command(name = "reload-unit", description = "Reload services: run their ExecReload= (systemctl reload UNIT).")
public final class ReloadUnitCommand extends JobCommand {
    public ReloadUnitCommand() {
        super(Request.ReloadUnit::new);
    }
}
