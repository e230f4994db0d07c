package dev.sockact.cli.sockctl;

import dev.sockact.ctl.Request;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code sockctl reload} ({@code daemon-reload}): sockactd reads every unit file again; sockets whose Listen
 * settings are unchanged keep their fds. Same as SIGHUP to sockactd.
 */
@Command(name = "reload", aliases = "daemon-reload", description = "Reload every unit file (daemon-reload).")
public final class ReloadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return ControlOptions.of(spec).call(new Request.Reload(), ControlOptions.JOB_TIMEOUT_MILLIS,
                spec.commandLine().getErr()).exitStatus();
    }
}
