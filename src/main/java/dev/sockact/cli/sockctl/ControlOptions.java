package dev.sockact.cli.sockctl;

import dev.sockact.ctl.ControlClient;
import dev.sockact.ctl.ControlProtocol;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options every command that talks to sockactd has ({@code --control-socket}, {@code --user}), and the call
 * itself with systemctl's error handling: no daemon is {@code Failed to connect to sockactd at PATH: REASON}
 * (exit 1), a refusal or a failed job is the daemon's message (its exit status).
 */
public final class ControlOptions {
    /** How long a query may take; jobs (start, stop, restart) wait for their units. */
    static final long QUERY_TIMEOUT_MILLIS = 30_000;
    static final long JOB_TIMEOUT_MILLIS = 120_000;

    @Option(names = "--control-socket", paramLabel = "PATH",
            description = "sockactd's control socket (default: /run/sockact/control.sock, or "
                    + "$XDG_RUNTIME_DIR/sockact/control.sock with --user).")
    Path controlSocket;

    @Option(names = "--user", description = "Talk to the user's sockactd (sockactd --user).")
    boolean user;

    /** A reply: the exit status sockctl ends with, and the payload. */
    record Result(int status, Object data) {
    }

    /**
     * Sends {@code request} and returns the reply, or prints the error and returns a result without data.
     */
    Result call(Map<String, Object> request, long timeoutMillis, PrintWriter err) {
        Path path = ControlProtocol.controlSocket(user, controlSocket, System.getenv("XDG_RUNTIME_DIR"));
        if (path == null) {
            err.println("Failed to connect to sockactd: $XDG_RUNTIME_DIR is not set (use --control-socket).");
            return new Result(ControlProtocol.FAILURE, null);
        }
        ControlClient client = new ControlClient(path, timeoutMillis);
        Map<String, Object> reply;
        try {
            reply = client.call(request);
        } catch (ControlClient.ConnectException e) {
            err.println("Failed to connect to sockactd at " + path + ": " + e.getMessage());
            return new Result(ControlProtocol.FAILURE, null);
        } catch (IOException e) {
            err.println(e.getMessage());
            return new Result(ControlProtocol.FAILURE, null);
        }
        int status = reply.get("status") instanceof Long l ? l.intValue() : ControlProtocol.FAILURE;
        if (reply.get("error") instanceof String error) {
            err.println(error);
        }
        return new Result(status, reply.get("data"));
    }

    /** {@link #call} for a question: it waits {@link #QUERY_TIMEOUT_MILLIS} at most. */
    Result query(Map<String, Object> request, PrintWriter err) {
        return call(request, QUERY_TIMEOUT_MILLIS, err);
    }

    static Map<String, Object> request(String command, List<String> units) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", command);
        if (units != null) {
            List<String> names = new ArrayList<>();
            for (String u : units) {
                names.add(mangle(u));
            }
            r.put("units", names);
        }
        return r;
    }

    /** As systemctl: a name without a unit suffix means NAME.service. */
    static String mangle(String name) {
        return name.endsWith(".socket") || name.endsWith(".service") ? name : name + ".service";
    }
}
