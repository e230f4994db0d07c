package dev.sockact.daemon;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.proxy.ProxyArguments;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.proxy.Target;
import dev.sockact.proxy.TargetResolver;
import dev.sockact.text.Getopt;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.KillMode;
import dev.sockact.unit.ServiceType;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.StandardInput;
import dev.sockact.unit.StandardOutput;
import dev.sockact.unit.TimeSpan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether sockactd forwards a service's connections itself ({@link HostedProxy}) instead of spawning its
 * ExecStart=: the rule of docs/sockactd.md, "Hosted socket-proxyd services". The rule is "never silently weaker":
 * hosting is chosen only when the process would run with nothing but its command line, its sockets and its network
 * namespace; every setting that would restrict or change the process (its user, limits, capabilities, other
 * namespaces, hooks, where its output goes) keeps the process, and so does anything the process would refuse, so
 * that it fails as it always did.
 */
final class ProxyHosting {
    /** systemd's binary, where Debian and the others install it. */
    static final List<String> SYSTEMD_PROXY = List.of("/lib/systemd/systemd-socket-proxyd",
            "/usr/lib/systemd/systemd-socket-proxyd");
    /** socket-proxyd's options that systemd-socket-proxyd does not have. */
    private static final List<String> OURS_ONLY = List.of("listen", "connect-timeout", "connect-retry", "threads",
            "listen-datagram", "proxy-protocol", "connection-idle-time", "metrics", "busy-poll");
    /** The line that makes a launcher socket-proxyd's (bin/socket-proxyd). */
    static final String LAUNCHER_LINE = "SOCKACT_MAIN=dev.sockact.cli.SocketProxydMain";
    /** A launcher is a few lines; anything larger is not read. */
    private static final long MAX_LAUNCHER_BYTES = 4096;

    private ProxyHosting() {
        throw new AssertionError();
    }

    /**
     * The unit's settings that need a real process, in unit-file words ("User=", "ExecStartPre="); empty when the
     * unit may be hosted as far as its settings go (its command line is checked by {@link #arguments}).
     */
    static List<String> processSettings(ServiceUnit unit) {
        List<String> needs = new ArrayList<>();
        if (!unit.hostProxy()) {
            needs.add("X-SockactHostProxy=no");
        }
        if (unit.execStart().size() != 1) {
            needs.add("ExecStart= with " + unit.execStart().size() + " commands");
        }
        add(needs, !unit.execCondition().isEmpty(), "ExecCondition=");
        add(needs, !unit.execStartPre().isEmpty(), "ExecStartPre=");
        add(needs, !unit.execStartPost().isEmpty(), "ExecStartPost=");
        add(needs, !unit.execReload().isEmpty(), "ExecReload=");
        add(needs, !unit.execStop().isEmpty(), "ExecStop=");
        add(needs, !unit.execStopPost().isEmpty(), "ExecStopPost=");
        ServiceType type = unit.type();
        add(needs, type != ServiceType.SIMPLE && type != ServiceType.EXEC && type != ServiceType.NOTIFY,
                "Type=" + type.text());
        add(needs, type == ServiceType.NOTIFY && !unit.notifyAccess().acceptsMessages(), "NotifyAccess=none");
        add(needs, !unit.user().isEmpty(), "User=");
        add(needs, !unit.group().isEmpty(), "Group=");
        add(needs, unit.dynamicUser(), "DynamicUser=");
        add(needs, !unit.process().isNone(),
                "process settings (Limit*=, Nice=, CPU/IO scheduling, capabilities, NoNewPrivileges=...)");
        add(needs, !unit.watchdog().equals(TimeSpan.ZERO), "WatchdogSec=");
        add(needs, !unit.pidFile().isEmpty(), "PIDFile=");
        add(needs, unit.killMode() == KillMode.NONE, "KillMode=none");
        add(needs, unit.standardInput() != StandardInput.Source.NULL, "StandardInput=");
        add(needs, unit.standardOutput() != StandardOutput.Sink.JOURNAL, "StandardOutput=");
        add(needs, unit.standardError() != StandardOutput.Sink.INHERIT
                && unit.standardError() != StandardOutput.Sink.JOURNAL, "StandardError=");
        add(needs, !unit.syslogIdentifier().isEmpty(), "SyslogIdentifier=");
        add(needs, !unit.openFiles().isEmpty(), "OpenFile=");
        return needs;
    }

    private static void add(List<String> needs, boolean condition, String setting) {
        if (condition) {
            needs.add(setting);
        }
    }

    /**
     * The command's arguments when it is socket-proxyd's and sockactd can run it: {@code environment} expands
     * {@code $VAR} as a spawn would. Empty for any other program, and for a command line the process itself would
     * treat differently (--help, --version, --listen=, an invalid option: the process prints and exits as always),
     * one of our options given to systemd's binary (which refuses them), a privileged prefix ({@code +}, {@code !}), a host-name target in a private network namespace (names are
     * resolved by sockactd's threads, which stay in the host's namespace), or with PrivateTmp= a UNIX socket target
     * under /tmp or /var/tmp (the one place where the process's view of the file system differs).
     */
    static Optional<ProxyArguments> arguments(ExecCommand command, Map<String, String> environment,
                                              boolean privateNetwork, boolean privateTmp) {
        if (!isSocketProxyd(command.path()) || command.flags().contains(ExecCommand.Flag.FULL_PRIVILEGES)
                || command.flags().contains(ExecCommand.Flag.AMBIENT_PRIVILEGES)
                || command.flags().contains(ExecCommand.Flag.NO_SETUID_FALLBACK)) {
            return Optional.empty();
        }
        List<String> argv = command.flags().contains(ExecCommand.Flag.NO_ENV_EXPAND) ? command.argv()
                : ExecSpawner.expand(command.argv(), environment);
        if (argv.isEmpty()) {
            return Optional.empty();
        }
        try {
            Getopt.Result parsed = ProxyArguments.OPTIONS.parse(argv.subList(1, argv.size()).toArray(String[]::new));
            if (parsed.has("help") || parsed.has("version")) {
                return Optional.empty();
            }
            if (SYSTEMD_PROXY.contains(command.path()) && OURS_ONLY.stream().anyMatch(parsed::has)) {
                return Optional.empty();   // systemd's binary refuses our options: the process fails as it would
            }
            ProxyArguments arguments = ProxyArguments.from(parsed);
            // Sockets of its own, an endpoint of its own: the process does these (the hosted engine serves the
            // socket unit's sockets, and sockactd has its own --metrics).
            if (!arguments.listen().isEmpty() || !arguments.listenDatagram().isEmpty()
                    || arguments.metrics().isPresent()) {
                return Optional.empty();
            }
            for (Target target : arguments.targets()) {
                if (privateNetwork && target instanceof Target.HostPort hp && !isAddressLiteral(hp.host())) {
                    return Optional.empty();
                }
                if (privateTmp && target instanceof Target.Unix unix && unix.address() instanceof
                        SockAddr.UnixPath path && inPrivateTmp(path.path())) {
                    return Optional.empty();
                }
            }
            return Optional.of(arguments);
        } catch (Getopt.UsageException | ProxyArguments.InvalidException e) {
            return Optional.empty();
        }
    }

    /**
     * The engine's listeners for the socket unit's sockets, named as in LISTEN_FDNAMES ({@code names}), each with its
     * target (NAME=TARGET, or the one TARGET); null where the process would refuse them, so that it does, with its
     * message: a socket that is neither a listening stream socket nor a datagram socket, --proxy-protocol=v1 with a
     * datagram socket, a NAME=TARGET without its socket or a socket without its NAME=TARGET.
     */
    static List<ProxyListener> listeners(ProxyArguments arguments, Map<String, TargetResolver> resolvers, List<Fd> fds,
                                         List<String> names) {
        if (fds.isEmpty()) {
            return null;
        }
        try {
            boolean anyDatagram = false;
            for (Fd fd : fds) {
                int type = Sockets.type(fd.fd());
                if (type == Sockets.SOCK_DGRAM) {
                    anyDatagram = true;
                } else if (type != Sockets.SOCK_STREAM || !Sockets.isListening(fd.fd())) {
                    return null;
                }
            }
            arguments.checkSockets(anyDatagram);
            return arguments.listeners(resolvers, fds, names);
        } catch (ErrnoException | ProxyArguments.InvalidException e) {
            return null;
        }
    }

    /**
     * systemd's binary at one of its two paths, or ours anywhere: a sockact launcher, recognised by its content
     * (the file, symlinks resolved, is a small shell script with the line {@link #LAUNCHER_LINE}), so this
     * checkout's bin/socket-proxyd, another checkout's, and an installed /usr/bin/socket-proxyd all count, and a
     * script that merely has the name does not. The file must be executable: a missing program fails with 203/EXEC
     * as it would.
     */
    static boolean isSocketProxyd(String path) {
        if (!path.startsWith("/") || !Files.isExecutable(Path.of(path))) {
            return false;
        }
        if (SYSTEMD_PROXY.contains(path)) {
            return true;
        }
        try {
            Path real = Path.of(path).toRealPath();
            if (Files.size(real) > MAX_LAUNCHER_BYTES) {
                return false;
            }
            String text = Files.readString(real, StandardCharsets.ISO_8859_1);
            return text.startsWith("#!/bin/sh\n") && text.lines().anyMatch(LAUNCHER_LINE::equals);
        } catch (IOException e) {
            return false;
        }
    }

    /** Under /tmp or /var/tmp, as written or once its folder's symlinks are resolved. */
    private static boolean inPrivateTmp(String path) {
        Path written = Path.of(path).normalize();
        List<Path> forms = new ArrayList<>(List.of(written));
        try {
            if (written.getParent() != null && Files.exists(written.getParent())) {
                forms.add(written.getParent().toRealPath().resolve(written.getFileName()));
            }
        } catch (IOException e) {
            return true;   // cannot tell: the process it is
        }
        return forms.stream().anyMatch(p -> p.startsWith("/tmp") || p.startsWith("/var/tmp"));
    }

    private static boolean isAddressLiteral(String host) {
        return host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || host.contains(":");
    }
}
