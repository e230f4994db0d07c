package dev.sockact.daemon;

import dev.sockact.posix.Fd;
import dev.sockact.proxy.ProxyArguments;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.proxy.TargetResolver;
import dev.sockact.unit.ExecCommand;
import dev.sockact.unit.ServiceUnit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One service's hosting decision ({@link ProxyHosting}'s rule), kept while nothing it depends on changes: the unit's
 * definition (a daemon-reload makes a new one), the command, its command line once expanded, and whether the service
 * has a private network or /tmp. Deciding reads a launcher file, parses the command line and encodes its literal
 * targets: about 0.5 ms on the manager's loop, which a proxy that stops when idle would pay on every activation
 * (bench/hosted-bench, session 8). Used on the manager's loop only.
 */
final class HostingPlan {
    /**
     * What to do with one ExecStart=. {@code socketProxyd}: the program is a socket-proxyd at all. {@code needs}:
     * the unit's settings that keep a process (unit-file words). {@code arguments}: the command line, present when
     * it can be hosted; {@code resolvers}: one per target name ("" for systemd's single TARGET).
     */
    record Decision(boolean socketProxyd, List<String> needs, Optional<ProxyArguments> arguments,
                    Map<String, TargetResolver> resolvers) {
        static final Decision NOT_SOCKET_PROXYD = new Decision(false, List.of(), Optional.empty(), Map.of());
    }

    private ServiceUnit unit;
    private ExecCommand command;
    private List<String> argv;
    private boolean privateNetwork;
    private boolean privateTmp;
    private Decision last;
    private List<Fd> listenerFds;
    private List<String> listenerNames;
    private List<ProxyListener> listeners;

    Decision decide(ServiceUnit unit, ExecCommand command, Map<String, String> environment, boolean privateNetwork,
                    boolean privateTmp) {
        List<String> expanded = command.flags().contains(ExecCommand.Flag.NO_ENV_EXPAND) ? command.argv()
                : ExecSpawner.expand(command.argv(), environment);
        if (last != null && unit == this.unit && command == this.command && expanded.equals(argv)
                && privateNetwork == this.privateNetwork && privateTmp == this.privateTmp) {
            // A hosted one may have lost its program since: it fails with 203/EXEC, as the process would. A spawned
            // one is checked by its spawn.
            if (last.arguments().isEmpty()) {
                return last;
            }
            return Files.isExecutable(Path.of(command.path())) ? last : Decision.NOT_SOCKET_PROXYD;
        }
        this.unit = unit;
        this.command = command;
        this.argv = expanded;
        this.privateNetwork = privateNetwork;
        this.privateTmp = privateTmp;
        listenerFds = null;   // new targets: the listeners are made again
        last = decideNow(unit, command, environment, privateNetwork, privateTmp);
        return last;
    }

    /**
     * The engine's listeners for the socket units' sockets ({@link ProxyHosting#listeners}), for the decision
     * {@link #decide} returned last; null where the process would refuse them. Kept while the sockets are the same
     * descriptors: each check asks the kernel for every socket's type and state.
     */
    List<ProxyListener> listeners(List<Fd> fds, List<String> names) {
        if (listenerFds == null || !Fd.sameObjects(fds, listenerFds) || !names.equals(listenerNames)) {
            listeners = ProxyHosting.listeners(last.arguments().orElseThrow(), last.resolvers(), fds, names);
            listenerFds = List.copyOf(fds);
            listenerNames = List.copyOf(names);
        }
        return listeners;
    }

    private static Decision decideNow(ServiceUnit unit, ExecCommand command, Map<String, String> environment,
                                      boolean privateNetwork, boolean privateTmp) {
        if (!ProxyHosting.isSocketProxyd(command.path())) {
            return Decision.NOT_SOCKET_PROXYD;
        }
        List<String> needs = ProxyHosting.processSettings(unit);
        Optional<ProxyArguments> arguments = needs.isEmpty()
                ? ProxyHosting.arguments(command, environment, privateNetwork, privateTmp) : Optional.empty();
        return new Decision(true, needs, arguments, arguments.map(ProxyArguments::resolvers).orElse(Map.of()));
    }
}
