package dev.sockact.cli;

import dev.sockact.activation.InvalidAddressException;
import dev.sockact.activation.ListenAddress;
import dev.sockact.ctl.ControlProtocol;
import dev.sockact.daemon.Daemon;
import dev.sockact.daemon.Manager;

import java.io.PrintWriter;
import dev.sockact.posix.SockAddr;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** sockactd: the socket-unit manager, in the foreground. */
@Command(name = "sockactd", sortOptions = false)
final class SockactdCommand implements Callable<Integer> {
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
                 --log-prefix           Prefix log lines with <N> syslog priorities
            """;

    @Option(names = {"-h", "--help"}) boolean help;
    @Option(names = "--version") boolean version;
    @Option(names = "--unit-dir", paramLabel = "DIR") List<Path> unitDirs = new ArrayList<>();
    @Option(names = "--user") boolean user;
    @Option(names = "--control-socket", paramLabel = "PATH") Path controlSocket;
    @Option(names = "--control-socket-mode", paramLabel = "MODE") String controlSocketMode = "0600";
    @Option(names = "--metrics", paramLabel = "ADDR") String metrics;
    /** Handled by bin/sockactd (SOCKACT_LOG_PREFIX=1), before the logger exists. */
    @Option(names = "--log-prefix") boolean logPrefix;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (help) {
            out.print(HELP);
            out.flush();   // print() does not flush, and System.exit would drop it
            return 0;
        }
        if (version) {
            out.println(Version.of("sockactd"));
            return 0;
        }
        // The same rule sockctl uses to find us; the runtime folder is the control socket's.
        Path control = ControlProtocol.controlSocket(user, controlSocket, System.getenv("XDG_RUNTIME_DIR"));
        if (control == null) {
            err.println("sockactd: --user needs $XDG_RUNTIME_DIR (or --control-socket).");
            return 1;
        }
        Path runtime = control.getParent();
        int mode;
        try {
            mode = Integer.parseInt(controlSocketMode, 8);
        } catch (NumberFormatException e) {
            mode = -1;
        }
        if (mode < 0 || mode > 0777) {
            err.println("sockactd: Invalid --control-socket-mode: " + controlSocketMode);
            return 1;
        }
        Optional<SockAddr> metricsAddress = Optional.empty();
        if (metrics != null) {
            try {
                metricsAddress = Optional.of(ListenAddress.parse(metrics));
            } catch (InvalidAddressException e) {
                err.println("sockactd: Invalid --metrics address " + metrics + ": " + e.getMessage());
                return 1;
            }
        }
        List<Path> dirs = unitDirs.isEmpty() ? Manager.defaultUnitDirs(user) : unitDirs;
        return Daemon.run(new Manager.Config(dirs, user, runtime), control, mode, metricsAddress,
                StopSignals::onTermination, StopSignals::onReload, err);
    }
}
