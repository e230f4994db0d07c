package dev.sockact.cli;

import dev.sockact.cli.sockctl.CatCommand;
import dev.sockact.cli.sockctl.ControlOptions;
import dev.sockact.cli.sockctl.DisableCommand;
import dev.sockact.cli.sockctl.EnableCommand;
import dev.sockact.cli.sockctl.JournalCommand;
import dev.sockact.cli.sockctl.ListCommand;
import dev.sockact.cli.sockctl.ListUnitsCommand;
import dev.sockact.cli.sockctl.OutputOption;
import dev.sockact.cli.sockctl.ReloadCommand;
import dev.sockact.cli.sockctl.ResetFailedCommand;
import dev.sockact.cli.sockctl.RestartCommand;
import dev.sockact.cli.sockctl.ShowCommand;
import dev.sockact.cli.sockctl.ReloadUnitCommand;
import dev.sockact.cli.sockctl.StartCommand;
import dev.sockact.cli.sockctl.StatusCommand;
import dev.sockact.cli.sockctl.StopCommand;
import dev.sockact.cli.sockctl.VerifyCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * {@code sockctl}: inspect and control sockact units through sockactd. See docs/sockctl.md. The options that say
 * which daemon and which output ({@link ControlOptions}, {@link OutputOption}) are global, as systemctl's: they go
 * before or after the verb.
 */
@Command(name = "sockctl", mixinStandardHelpOptions = true, version = "sockctl 0.1.0",
        description = "Inspect and control sockact socket and service units.",
        subcommands = {ListCommand.class, ListUnitsCommand.class, StatusCommand.class, ShowCommand.class, CatCommand.class,
                JournalCommand.class,
                StartCommand.class, StopCommand.class, RestartCommand.class, ReloadUnitCommand.class,
                EnableCommand.class, DisableCommand.class, ReloadCommand.class, ResetFailedCommand.class,
                VerifyCommand.class})
public final class SockctlMain implements Runnable {

    @Spec
    CommandSpec spec;

    @Mixin(name = ControlOptions.MIXIN)
    ControlOptions control;

    @Mixin(name = OutputOption.MIXIN)
    OutputOption output;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /** Runs sockctl with output going to {@code out} and {@code err}; returns the exit status. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new SockctlMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        int status = commandLine.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "Missing command (list, list-units, status, show, cat, journal, start, stop, restart, enable, disable, reload,"
                + " verify).");
    }
}
