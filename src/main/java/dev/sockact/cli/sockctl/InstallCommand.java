package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlProtocol;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

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
    @Mixin
    ControlOptions control;

    @Option(names = "--now", description = "Also start (enable) or stop (disable) the units.")
    boolean now;

    @Parameters(arity = "1..*", paramLabel = "UNIT", description = "Units, e.g. foo.socket foo.service.")
    List<String> units;

    private final String verb;
    /** The job {@code --now} runs after the links changed. */
    private final String nowVerb;

    InstallCommand(String verb, String nowVerb) {
        this.verb = verb;
        this.nowVerb = nowVerb;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        ControlOptions.Result result = control.query(ControlOptions.request(verb, units), err);
        if (!(result.data() instanceof Map<?, ?> data)) {
            return result.status();
        }
        printChanges(err, data, verb.equals("enable"));
        if (data.get("error") instanceof String) {
            return result.status();
        }
        if (!now) {
            return ControlProtocol.OK;
        }
        return control.call(ControlOptions.request(nowVerb, units), ControlOptions.JOB_TIMEOUT_MILLIS, err).status();
    }

    /** The changes, then the error or the notices, as systemctl prints them (all on stderr). */
    static void printChanges(PrintWriter err, Map<?, ?> data, boolean enable) {
        if (data.get("changes") instanceof List<?> changes) {
            for (Object o : changes) {
                Map<?, ?> c = (Map<?, ?>) o;
                if ("symlink".equals(c.get("type"))) {
                    err.println("Created symlink " + c.get("path") + " → " + c.get("source") + ".");
                } else {
                    err.println("Removed \"" + c.get("path") + "\".");
                }
            }
        }
        if (data.get("error") instanceof String error) {
            err.println(error);
            return;
        }
        if (data.get("markerCreated") instanceof String dir) {
            err.println("Enablement is now in use in " + dir + ": from its next start, sockactd starts only the"
                    + " enabled units.");
        }
        // systemctl 252 prints the notice for enable only (its disable call returns no install information).
        if (enable && Boolean.FALSE.equals(data.get("carriesInstallInfo"))) {
            err.println(NO_INSTALL_INFO);
        }
    }
}
