package dev.sockact.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Renders the man pages in {@code man/} from the commands' own definitions: sockctl's picocli model (every
 * subcommand's usage) and the help texts of socket-activate, socket-proxyd and sockactd, so that a page cannot
 * say something the command does not. {@code man/generate} writes them; {@code ManPagesTest} fails when the
 * committed pages are stale. Not a user command.
 */
public final class ManPages {
    private static final String SOURCE = "sockact " + Version.NUMBER;

    private ManPages() {
        throw new AssertionError();
    }

    /** Writes every page into the folder given as the only argument. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "man");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> page : render().entrySet()) {
            Files.writeString(dir.resolve(page.getKey()), page.getValue());
        }
    }

    /** File name to roff text, for every command. */
    public static Map<String, String> render() {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("socket-activate.1", page("socket-activate", 1, "listen on sockets and run a program on connection",
                SocketActivateCommand.HELP, SOCKET_ACTIVATE_ENVIRONMENT, "docs/socket-activate.md",
                "systemd-socket-activate(1)"));
        pages.put("socket-proxyd.8", page("socket-proxyd", 8, "forward socket-activated connections to a target",
                SocketProxydCommand.HELP, SOCKET_PROXYD_ENVIRONMENT, "docs/socket-proxyd.md", "systemd-socket-proxyd(8)"));
        pages.put("sockactd.8", page("sockactd", 8, "the socket-unit manager: socket activation without systemd",
                SockactdCommand.HELP, SOCKACTD_ENVIRONMENT, "docs/sockactd.md", "systemd.socket(5)"));
        pages.put("sockctl.1", page("sockctl", 1, "list, inspect, start and stop the units of sockactd",
                sockctlUsage(), SOCKCTL_ENVIRONMENT, "docs/sockctl.md", "systemctl(1)"));
        return pages;
    }

    // ---- ENVIRONMENT: the variables each command (and its launcher in bin/) reads, name -> what it does ----------

    private static final String[] LOGGING = {
        "SOCKACT_LOG_LEVEL, SYSTEMD_LOG_LEVEL",
        "The log level, by name (emerg, alert, crit, err, warning, notice, info, debug) or number (0-7); info by "
                + "default. SOCKACT_LOG_LEVEL wins.",
        "JOURNAL_STREAM, SOCKACT_LOG_PREFIX",
        "With JOURNAL_STREAM set or SOCKACT_LOG_PREFIX=1, each log line on stderr starts with its syslog priority "
                + "(<4>).",
    };

    private static final String[] LAUNCHER = {
        "JAVA_HOME",
        "Where the launcher in bin/ looks for a JDK 25 first. The package's launchers run their own runtime.",
    };

    private static final String[] SOCKET_PROXYD_ENVIRONMENT = concat(new String[] {
        "LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES",
        "The sockets to forward, passed as sd_listen_fds(3) describes (LISTEN_PID must be the proxy's pid). "
                + "NAME=TARGET arguments match the names in LISTEN_FDNAMES.",
        "NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID",
        "READY=1 is sent once the proxy serves, WATCHDOG=1 every half of WATCHDOG_USEC, STOPPING=1 on SIGTERM or "
                + "SIGINT (sd_notify(3)).",
    }, LOGGING, new String[] {
        "SOCKACT_JVM_OPTS",
        "Replaces the launcher's JVM options. Without it: -XX:+UseSerialGC -Xmn4m -XX:TrimNativeHeapInterval=500, "
                + "with -XX:TieredStopAtLevel=1 (C1 alone) in front when --exit-idle-time= is a time span.",
    }, LAUNCHER);

    private static final String[] SOCKET_ACTIVATE_ENVIRONMENT = concat(new String[] {
        "LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES",
        "Sockets passed to socket-activate itself are kept at 3 and on, and its -l sockets follow them. For the "
                + "program it sets LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES (with --fdname) and, where pidfds have "
                + "inode IDs, LISTEN_PIDFDID; none with --inetd. The rest of the program's environment is TERM, "
                + "PATH, USER, HOME, COLORTERM and NO_COLOR (those set) and the -E variables.",
        "NOTIFY_SOCKET",
        "READY=1 is sent there once the sockets listen.",
        "PATH",
        "Where a program named without a slash is looked for.",
    }, LOGGING, new String[] {
        "SOCKACT_JVM_OPTS",
        "Replaces the launcher's JVM options (-XX:TieredStopAtLevel=1 -XX:+UseSerialGC).",
    }, LAUNCHER);

    private static final String[] SOCKACTD_ENVIRONMENT = concat(new String[] {
        "XDG_RUNTIME_DIR",
        "With --user, the control socket and runtime files are under $XDG_RUNTIME_DIR/sockact/, and the unit "
                + "folders and services' directories follow the XDG base directories (docs/sockactd.md lists them).",
        "SOCKACT_SPAWN_SERVER",
        "0: every command is spawned by sockactd itself (posix_spawn), not through its spawn server.",
        "SYSTEMD_PROC_CMDLINE",
        "Read in place of /proc/cmdline, as systemd does: by ConditionKernelCommandLine= and for the "
                + "systemd.condition-first-boot= and systemd.condition-needs-update= switches.",
    }, LOGGING, new String[] {
        "SOCKACT_JVM_OPTS",
        "Replaces the launcher's JVM options (-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmn4m "
                + "-XX:CompileThresholdScaling=0.05).",
    }, LAUNCHER);

    private static final String[] SOCKCTL_ENVIRONMENT = concat(new String[] {
        "XDG_RUNTIME_DIR",
        "With --user, the control socket is $XDG_RUNTIME_DIR/sockact/control.sock.",
        "PATH",
        "Where verify looks for a command named without a slash.",
        "SOCKACT_JVM_OPTS",
        "Replaces the launcher's JVM options (-XX:TieredStopAtLevel=1 -XX:+UseSerialGC).",
    }, LAUNCHER);

    private static String[] concat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }

    /** The root usage, then every subcommand's, as picocli prints them for --help. */
    private static String sockctlUsage() {
        CommandLine root = new CommandLine(new SockctlMain());
        StringBuilder text = new StringBuilder(root.getUsageMessage(CommandLine.Help.Ansi.OFF));
        for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandName().equals(sub.getKey())) {   // skip aliases
                text.append("\n").append(sub.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF));
            }
        }
        return text.toString();
    }

    private static String page(String name, int section, String summary, String usage, String[] environment,
                               String doc, String peer) {
        StringBuilder env = new StringBuilder(".SH ENVIRONMENT\n");
        for (int i = 0; i < environment.length; i += 2) {
            env.append(".TP\n.B ").append(environment[i]).append('\n').append(escape(environment[i + 1])).append('\n');
        }
        return ".TH " + name.toUpperCase(Locale.ROOT) + " " + section + " \"\" \"" + SOURCE + "\"\n"
                + ".SH NAME\n" + name + " \\- " + summary + "\n"
                + ".SH SYNOPSIS AND OPTIONS\n.nf\n" + escape(usage.strip()) + "\n.fi\n"
                + env
                + ".SH SEE ALSO\n" + doc + " in the sockact source tree, " + peer + "\n";
    }

    /** roff: a backslash is written \e; a line may not start with "." or "'". */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.replace("\\", "\\e").split("\n", -1)) {
            out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line).append('\n');
        }
        return out.toString().stripTrailing();
    }
}
