package dev.sockact.ctl;

import java.util.List;

/**
 * What sockctl asks sockactd, one record per command. Units are full names ({@code foo.service}, never
 * {@code foo}): sockctl completes them before it asks. {@link ControlCodec} turns these into request lines and back.
 * The lists are not copied: the codec decodes into lists that cannot be changed, and a sender builds its own for
 * one request.
 */
public sealed interface Request {

    /** {@code list}: every socket unit with its listen addresses and what it activates. */
    record ListSockets() implements Request {
    }

    /** {@code list-units}: every loaded unit, sockets and services. */
    record ListUnits() implements Request {
    }

    /** {@code status}: each unit's state, with its last {@code lines} log lines. */
    record Status(List<String> units, int lines) implements Request {
    }

    /** {@code show}: each unit's properties, as systemctl show names them. */
    record Show(List<String> units) implements Request {
    }

    /** {@code cat}: the files each unit was loaded from. */
    record Cat(List<String> units) implements Request {
    }

    /**
     * {@code journal}: the last {@code lines} lines kept for {@code unit} after the cursor {@code after} (0: from the
     * oldest); with {@code follow}, the reply waits in sockactd for the unit's next line (a while at most).
     */
    record Journal(String unit, int lines, long after, boolean follow) implements Request {
    }

    /** {@code enable}: the links that make sockactd start the units when it starts. */
    record Enable(List<String> units) implements Request {
    }

    /** {@code disable}: those links removed. */
    record Disable(List<String> units) implements Request {
    }

    /** {@code reload}: every unit file read again (daemon-reload). */
    record Reload() implements Request {
    }

    /** {@code reset-failed}: the failed state of the units (every loaded unit when none is named) reset. */
    record ResetFailed(List<String> units) implements Request {
    }

    /** A job on units: the reply comes once they have settled. */
    sealed interface Job extends Request {
        List<String> units();

        /** The verb in messages ({@code Failed to VERB UNIT}) and on the wire. */
        default String verb() {
            return switch (this) {
                case Start _ -> "start";
                case Stop _ -> "stop";
                case Restart _ -> "restart";
                case ReloadUnit _ -> "reload-unit";
            };
        }
    }

    record Start(List<String> units) implements Job {
    }

    record Stop(List<String> units) implements Job {
    }

    record Restart(List<String> units) implements Job {
    }

    /** systemctl's {@code reload UNIT}: the services' ExecReload=. */
    record ReloadUnit(List<String> units) implements Job {
    }
}
