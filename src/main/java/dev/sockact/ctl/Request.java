package dev.sockact.ctl;

import java.util.List;

/**
 * What sockctl asks sockactd, one record per command. Units are full names ({@code foo.service}, never
 * {@code foo}): sockctl completes them before it asks. {@link ControlCodec} turns these into request lines and back.
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
        public Status {
            units = List.copyOf(units);
        }
    }

    /** {@code show}: each unit's properties, as systemctl show names them. */
    record Show(List<String> units) implements Request {
        public Show {
            units = List.copyOf(units);
        }
    }

    /** {@code cat}: the files each unit was loaded from. */
    record Cat(List<String> units) implements Request {
        public Cat {
            units = List.copyOf(units);
        }
    }

    /** {@code enable}: the links that make sockactd start the units when it starts. */
    record Enable(List<String> units) implements Request {
        public Enable {
            units = List.copyOf(units);
        }
    }

    /** {@code disable}: those links removed. */
    record Disable(List<String> units) implements Request {
        public Disable {
            units = List.copyOf(units);
        }
    }

    /** {@code reload}: every unit file read again (daemon-reload). */
    record Reload() implements Request {
    }

    /** A job on units: the reply comes once they have settled. */
    sealed interface Job extends Request {
        List<String> units();

        /** The verb in messages: {@code Failed to VERB UNIT}. */
        String verb();
    }

    record Start(List<String> units) implements Job {
        public Start {
            units = List.copyOf(units);
        }

        @Override
        public String verb() {
            return "start";
        }
    }

    record Stop(List<String> units) implements Job {
        public Stop {
            units = List.copyOf(units);
        }

        @Override
        public String verb() {
            return "stop";
        }
    }

    record Restart(List<String> units) implements Job {
        public Restart {
            units = List.copyOf(units);
        }

        @Override
        public String verb() {
            return "restart";
        }
    }

    /** systemctl's {@code reload UNIT}: the services' ExecReload=. */
    record ReloadUnit(List<String> units) implements Job {
        public ReloadUnit {
            units = List.copyOf(units);
        }

        @Override
        public String verb() {
            return "reload-unit";
        }
    }
}
