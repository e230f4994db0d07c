package dev.sockact.cli.sockctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Mixin
    ControlOptions control;

    @Override
    public Integer call() {
        return control.call(ControlOptions.request("reload", null), ControlOptions.JOB_TIMEOUT_MILLIS,
                spec.commandLine().getErr()).status();
    }
}
