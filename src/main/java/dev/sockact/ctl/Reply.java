package dev.sockact.ctl;

import java.util.List;

/**
 * What sockactd answers, one record per kind of answer. {@link #exitStatus()} is the status sockctl ends with
 * (systemctl's: {@link ControlProtocol#OK}, {@link ControlProtocol#NOT_ACTIVE}, ...). {@link ControlCodec} turns
 * these into reply lines and back, and prints their data for {@code sockctl --output=json}. As in {@link Request},
 * the lists are not copied.
 */
public sealed interface Reply {

    /** The exit status sockctl ends with: success unless the reply says otherwise. */
    default int exitStatus() {
        return ControlProtocol.OK;
    }

    /** A job or a reload that went well. */
    record Done() implements Reply {
    }

    /** A request refused or a job that failed: sockctl prints the message and ends with the status. */
    record Failure(int exitStatus, String message) implements Reply {
    }

    /** The answer to {@link Request.ListSockets}. */
    record SocketList(List<SocketEntry> sockets) implements Reply {
    }

    /** The answer to {@link Request.ListUnits}. */
    record UnitList(List<UnitEntry> units) implements Reply {
    }

    /** The answer to {@link Request.Status}: 4 when a unit is not loaded, else 3 when one is not active. */
    record Statuses(List<UnitStatus> units) implements Reply {
        @Override
        public int exitStatus() {
            if (units.stream().anyMatch(u -> u instanceof UnitStatus.NotFound)) {
                return ControlProtocol.NO_SUCH_UNIT;
            }
            if (units.stream().anyMatch(u -> !u.running())) {
                return ControlProtocol.NOT_ACTIVE;
            }
            return ControlProtocol.OK;
        }
    }

    /** The answer to {@link Request.Show}: 4 when a unit was not found. */
    record Properties(List<ShownUnit> units) implements Reply {
        @Override
        public int exitStatus() {
            return units.stream().anyMatch(ShownUnit::notFound) ? ControlProtocol.NO_SUCH_UNIT : ControlProtocol.OK;
        }
    }

    /** The answer to {@link Request.Cat}: 4 when a unit is not loaded. */
    record Files(List<UnitFiles> units) implements Reply {
        @Override
        public int exitStatus() {
            return units.stream().allMatch(UnitFiles::found) ? ControlProtocol.OK : ControlProtocol.NO_SUCH_UNIT;
        }
    }

    /**
     * The answer to {@link Request.Journal}: the lines, oldest first, the cursor to ask after next time, and the pid
     * of the sockactd that logged its own lines.
     */
    record Journal(String unit, List<UnitStatus.LogLine> entries, long cursor, long daemonPid) implements Reply {
    }

    /**
     * The answer to {@link Request.Enable} and {@link Request.Disable}: the links made or removed, whether the units
     * have an [Install] section, the folder where this request started enablement (or null), and the error that
     * stopped it (or null), so that sockctl prints the changes before the error, as systemctl does.
     */
    record Installed(List<InstallChange> changes, boolean carriesInstallInfo, String markerCreated, String error)
            implements Reply {
        @Override
        public int exitStatus() {
            return error == null ? ControlProtocol.OK : ControlProtocol.FAILURE;
        }
    }
}
