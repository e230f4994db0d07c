package dev.sockact.cli.sockctl;

import dev.sockact.ctl.InstallChange;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * {@code enable} and {@code disable}: sockactd makes or removes the links in its unit folders (it knows them), and
 * sockctl prints each change on stderr as systemctl 252 does ({@code Created symlink LINK → FILE.},
 * {@code Removed "LINK".}). With {@code --now}, a start or stop job follows, as systemctl's does.
 */
abstract class InstallCommand implements Callable<Integer> {
    /** systemctl 252's notice (Debian 12's text) for units without [Install], with sockctl for systemctl. */
    static final String NO_INSTALL_INFO = """
            The unit files have no installation config (WantedBy=, RequiredBy=, Also=,
            Alias= settings in the [Install] section, and DefaultInstance= for template
            units). This means they are not meant to be enabled using sockctl.
            \s
            Possible reasons for having this kind of units are:
            • A unit may be statically enabled by being symlinked from another unit's
              .wants/ or .requires/ directory.
            • A unit's purpose may be to act as a helper for some other unit which has
              a requirement dependency on it.
            • A unit may be started when needed via activation (socket, path, timer,
              D-Bus, udev, scripted sockctl call, ...).
            • In case of template units, the unit is meant to be enabled with some
              instance name specified.""";

    @Spec
    CommandSpec spec;

    @Option(names = "--now", description = "Also start (enable) or stop (disable) the units.")
    boolean now;

    @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket foo.service.")
    List<String> units;

    /** Whether this is enable (a notice for units without [Install]). */
    private final boolean enable;
    /** The request that changes the links of the (completed) unit names. */
    private final Function<List<String>, Request> request;
    /** The job {@code --now} runs after the links changed. */
    private final Function<List<String>, Request.Job> nowJob;

    InstallCommand(boolean enable, Function<List<String>, Request> request,
                   Function<List<String>, Request.Job> nowJob) {
        this.enable = enable;
        this.request = request;
        this.nowJob = nowJob;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ControlOptions control = ControlOptions.of(spec);
        List<String> names = ControlOptions.unitNames(units);
        Reply reply = control.query(request.apply(names), err);
        if (!(reply instanceof Reply.Installed installed)) {
            return reply.exitStatus();
        }
        printChanges(err, installed, enable);
        if (installed.error() != null || !now) {
            return installed.exitStatus();
        }
        return control.call(nowJob.apply(names), ControlOptions.JOB_TIMEOUT_MILLIS, err).exitStatus();
    }

    /** The changes, then the error or the notices, as systemctl prints them (all on stderr). */
    static void printChanges(PrintWriter err, Reply.Installed installed, boolean enable) {
        for (InstallChange c : installed.changes()) {
            switch (c.kind()) {
                case SYMLINK -> err.println("Created symlink " + c.path() + " → " + c.source() + ".");
                case UNLINK -> err.println("Removed \"" + c.path() + "\".");
            }
        }
        if (installed.error() != null) {
            err.println(installed.error());
            return;
        }
        if (installed.markerCreated() != null) {
            err.println("Enablement is now in use in " + installed.markerCreated() + ": from its next start, sockactd"
                    + " starts only the enabled units.");
        }
        // systemctl 252 prints the notice for enable only (its disable call returns no install information).
        if (enable && !installed.carriesInstallInfo()) {
            err.println(NO_INSTALL_INFO);
        }
    }
}
