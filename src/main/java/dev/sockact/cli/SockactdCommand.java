package dev.sockact.cli;

import dev.sockact.activation.InvalidAddressException;
import dev.sockact.activation.ListenAddress;
import dev.sockact.ctl.ControlProtocol;
import dev.sockact.daemon.Daemon;
import dev.sockact.daemon.Manager;
import dev.sockact.posix.SockAddr;
import dev.sockact.text.Getopt;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * sockactd: the socket-unit manager, in the foreground. Read with {@link Getopt}, as socket-proxyd and
 * socket-activate are: picocli's reflective start (its classes are not in the AOT cache) was 190 ms of a 400 ms
 * start-up.
 */
final class SockactdCommand extends GetoptCommand {
    static final String HELP = """
            sockactd [OPTIONS...]

            Socket-unit manager: listens on the sockets of every .socket unit and starts
            the matching service on the first connection, as systemd does.

              -h --help                 Show this help
                 --version              Show package version
                 --unit-dir=DIR         Read units from DIR (repeatable; replaces the defaults)
                 --user                 Run as a user's manager (XDG folders)
                 --control-socket=PATH  Serve sockctl on this socket (default: RUNTIME/control.sock)
                 --control-socket-mode=MODE
                                        Mode of the control socket (default: 0600)
                 --metrics=ADDR         Serve Prometheus metrics on ADDR (ListenStream=
                                        syntax) at GET /metrics; see docs/metrics.md
                 --standby-max=N        Keep at most N services ready to start (default: 8;
                                        0: none); see docs/sockactd.md
                 --log-prefix           Prefix log lines with <N> syslog priorities
            """;

    static final Getopt OPTIONS = new Getopt(List.of(
            new Getopt.Spec('h', "help", false),
            new Getopt.Spec((char) 0, "version", false),
            new Getopt.Spec((char) 0, "unit-dir", true),
            new Getopt.Spec((char) 0, "user", false),
            new Getopt.Spec((char) 0, "control-socket", true),
            new Getopt.Spec((char) 0, "control-socket-mode", true),
            new Getopt.Spec((char) 0, "metrics", true),
            new Getopt.Spec((char) 0, "standby-max", true),
            // Handled by bin/sockactd (SOCKACT_LOG_PREFIX=1), before the logger exists.
            new Getopt.Spec((char) 0, "log-prefix", false)));

    SockactdCommand(PrintWriter out, PrintWriter err) {
        super("sockactd", OPTIONS, HELP, out, err);
    }

    @Override
    protected int execute(Getopt.Result parsed) {
        if (!parsed.operands().isEmpty()) {
            return fail("sockactd: This program takes no arguments.");
        }
        boolean user = parsed.has("user");
        String controlSocket = parsed.last("control-socket");
        // The same rule sockctl uses to find us; the runtime folder is the control socket's.
        Path control = ControlProtocol.controlSocket(user, controlSocket == null ? null : Path.of(controlSocket),
                System.getenv("XDG_RUNTIME_DIR"));
        if (control == null) {
            return fail("sockactd: --user needs $XDG_RUNTIME_DIR (or --control-socket).");
        }
        Path runtime = control.getParent();
        String controlSocketMode = parsed.has("control-socket-mode") ? parsed.last("control-socket-mode") : "0600";
        int mode;
        try {
            mode = Integer.parseInt(controlSocketMode, 8);
        } catch (NumberFormatException e) {
            mode = -1;
        }
        if (mode < 0 || mode > 0777) {
            return fail("sockactd: Invalid --control-socket-mode: " + controlSocketMode);
        }
        Optional<SockAddr> metricsAddress = Optional.empty();
        String metrics = parsed.last("metrics");
        if (metrics != null) {
            try {
                metricsAddress = Optional.of(ListenAddress.parse(metrics));
            } catch (InvalidAddressException e) {
                return fail("sockactd: Invalid --metrics address " + metrics + ": " + e.getMessage());
            }
        }
        int standbyMax = Manager.Config.DEFAULT_STANDBY_MAX;
        String standby = parsed.last("standby-max");
        if (standby != null) {
            try {
                standbyMax = Integer.parseInt(standby);
            } catch (NumberFormatException e) {
                standbyMax = -1;
            }
            if (standbyMax < 0 || standbyMax > Manager.Config.STANDBY_MAX_BOUND) {
                return fail("sockactd: Invalid --standby-max: " + standby + " (a number of services, 0 to "
                        + Manager.Config.STANDBY_MAX_BOUND + ")");
            }
        }
        List<Path> unitDirs = parsed.all("unit-dir").stream().map(Path::of).toList();
        List<Path> dirs = unitDirs.isEmpty() ? Manager.defaultUnitDirs(user) : unitDirs;
        return Daemon.run(new Manager.Config(dirs, user, runtime, standbyMax), control, mode, metricsAddress,
                StopSignals::onTermination, StopSignals::onReload, err);
    }
}
