package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlClient;
import dev.sockact.ctl.ControlProtocol;
import dev.sockact.ctl.Reply;
import dev.sockact.ctl.Request;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The options that say which sockactd to talk to ({@code --control-socket}, {@code --user}), global as systemctl's:
 * before or after the verb. The call itself has systemctl's error handling: no daemon is
 * {@code Failed to connect to sockactd at PATH: REASON} (exit 1), a refusal or a failed job is the daemon's message
 * (its exit status).
 */
public final class ControlOptions {
    /** systemd's unit type suffixes: a name that ends in one is taken as it is (sockactd has two of the types). */
    private static final Set<String> UNIT_SUFFIXES = Set.of("service", "socket", "target",
            "device", "mount", "automount", "swap", "timer", "path", "slice", "scope");

    /** The name sockctl's top command gives this mixin. */
    public static final String MIXIN = "control";
    /** How long a query may take; jobs (start, stop, restart) wait for their units. */
    static final long QUERY_TIMEOUT_MILLIS = 30_000;
    static final long JOB_TIMEOUT_MILLIS = 120_000;

    @Option(names = "--control-socket", paramLabel = "PATH", scope = ScopeType.INHERIT,
            description = "sockactd's control socket (default: /run/sockact/control.sock, or "
                    + "$XDG_RUNTIME_DIR/sockact/control.sock with --user).")
    Path controlSocket;

    @Option(names = "--user", scope = ScopeType.INHERIT, description = "Talk to the user's sockactd (sockactd --user).")
    boolean user;

    /** The options of the sockctl command that {@code spec} is a subcommand of. */
    static ControlOptions of(CommandSpec spec) {
        return (ControlOptions) spec.root().mixins().get(MIXIN).userObject();
    }

    /**
     * Sends {@code request} and returns the reply; a failure (the daemon's, or no daemon) is printed on {@code err}
     * first.
     */
    Reply call(Request request, long timeoutMillis, PrintWriter err) {
        Reply reply = exchange(request, timeoutMillis);
        if (reply instanceof Reply.Failure failure) {
            err.println(failure.message());
        }
        return reply;
    }

    private Reply exchange(Request request, long timeoutMillis) {
        Path path = ControlProtocol.controlSocket(user, controlSocket, System.getenv("XDG_RUNTIME_DIR"));
        if (path == null) {
            return new Reply.Failure(ControlProtocol.FAILURE,
                    "Failed to connect to sockactd: $XDG_RUNTIME_DIR is not set (use --control-socket).");
        }
        try {
            return new ControlClient(path, timeoutMillis).call(request);
        } catch (ControlClient.ConnectException e) {
            return new Reply.Failure(ControlProtocol.FAILURE,
                    "Failed to connect to sockactd at " + path + ": " + e.getMessage());
        } catch (IOException e) {
            return new Reply.Failure(ControlProtocol.FAILURE, e.getMessage());
        }
    }

    /** {@link #call} for a question: it waits {@link #QUERY_TIMEOUT_MILLIS} at most. */
    Reply query(Request request, PrintWriter err) {
        return call(request, QUERY_TIMEOUT_MILLIS, err);
    }

    /** As systemctl: a name without a unit suffix means NAME.service. */
    static List<String> unitNames(List<String> names) {
        return names.stream().map(ControlOptions::mangle).toList();
    }

    /** unit_name_mangle(): a name with a unit type's suffix (any of systemd's) is kept, others get ".service". */
    static String mangle(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 && UNIT_SUFFIXES.contains(name.substring(dot + 1)) ? name : name + ".service";
    }
}
