package dev.sockact.unit.load;

import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks that span several settings, with systemd's wording: {@code socket_verify()} and
 * {@code service_verify()}. Each returned message makes the unit a bad setting.
 */
final class UnitChecks {

    private UnitChecks() {
    }

    static List<String> socket(SocketUnit socket) {
        List<String> problems = new ArrayList<>();
        if (socket.listens().isEmpty()) {
            problems.add("Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.");
            return problems;
        }
        if (socket.accept() && !socket.listens().stream().allMatch(ListenSpec::accepts)) {
            problems.add("Unit configured for accepting sockets, but sockets are non-accepting. Refusing.");
            return problems;
        }
        if (socket.accept() && socket.maxConnections() <= 0) {
            problems.add("MaxConnection= setting too small. Refusing.");
            return problems;
        }
        if (socket.accept() && socket.serviceOverride() != null) {
            problems.add("Explicit service configuration for accepting socket units not supported. Refusing.");
            return problems;
        }
        if (!socket.symlinks().isEmpty() && fileSystemNodes(socket) != 1) {
            problems.add("Unit has symlinks set but none or more than one node in the file system. Refusing.");
        }
        return problems;
    }

    private static long fileSystemNodes(SocketUnit socket) {
        return socket.listens().stream().map(ListenSpec::fileSystemNode).filter(Objects::nonNull)
                .map(Path::normalize).distinct().count();
    }

    static List<String> service(ServiceUnit service) {
        List<String> problems = new ArrayList<>();
        boolean oneshot = service.type().isOneshot();
        boolean successAction = !service.unit().successAction().equals("none");
        if (service.execStart().isEmpty() && service.execStop().isEmpty() && !successAction) {
            problems.add("Service has no ExecStart=, ExecStop=, or SuccessAction=. Refusing.");
        } else if (!oneshot && service.execStart().isEmpty()) {
            problems.add("Service has no ExecStart= setting, which is only allowed for Type=oneshot services."
                    + " Refusing.");
        } else if (!service.remainAfterExit() && service.execStart().isEmpty() && !successAction) {
            problems.add("Service has no ExecStart= and no SuccessAction= settings and does not have"
                    + " RemainAfterExit=yes set. Refusing.");
        } else if (!oneshot && service.execStart().size() > 1) {
            problems.add("Service has more than one ExecStart= setting, which is only allowed for Type=oneshot"
                    + " services. Refusing.");
        } else if (oneshot && service.restart().restartsAfterSuccess()) {
            problems.add("Service has Restart= set to either always or on-success, which isn't allowed for"
                    + " Type=oneshot services. Refusing.");
        }
        return problems;
    }
}
