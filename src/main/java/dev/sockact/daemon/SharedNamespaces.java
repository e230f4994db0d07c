package dev.sockact.daemon;

import dev.sockact.unit.ServiceUnit;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The namespaces of PrivateNetwork= and PrivateTmp= that the manager holds, each with the services using it. A
 * service that starts joins a namespace of the same kind held for a service it names in JoinsNamespaceOf=, or one
 * that names it there (systemd's dependency is symmetric), and otherwise gets a new one. A namespace is closed,
 * and a private /tmp removed, when the last service using it has stopped (systemd's ExecRuntime, kept while
 * referenced). Runs on the manager's loop.
 */
final class SharedNamespaces {
    private static final System.Logger LOG = System.getLogger("sockactd");

    /** One namespace and who uses it: each active service's name with its JoinsNamespaceOf= list. */
    private static final class Held {
        final AutoCloseable namespace;
        final Map<String, List<String>> users = new LinkedHashMap<>();

        Held(AutoCloseable namespace) {
            this.namespace = namespace;
        }

        boolean joinedBy(String unit, List<String> joins) {
            for (Map.Entry<String, List<String>> user : users.entrySet()) {
                if (joins.contains(user.getKey()) || user.getValue().contains(unit)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Held> network = new ArrayList<>();
    private final List<Held> tmp = new ArrayList<>();

    /**
     * Why {@code unit} cannot have its namespaces here: one message per setting when sockactd is not root or
     * runs as a per-user manager, none when it can. The service must not start without them.
     */
    static List<String> refusals(ServiceUnit unit, boolean root, boolean userManager) {
        List<String> refusals = new ArrayList<>();
        if (root && !userManager) {
            return refusals;
        }
        String needs = " needs sockactd to run as root" + (userManager ? " without --user" : "") + ", refusing to start.";
        if (unit.privateNetwork()) {
            refusals.add("PrivateNetwork=yes" + needs);
        }
        if (unit.privateTmp()) {
            refusals.add("PrivateTmp=yes" + needs);
        }
        if (!refusals.isEmpty() && !unit.unit().joinsNamespaceOf().isEmpty()) {
            refusals.add("JoinsNamespaceOf=" + String.join(" ", unit.unit().joinsNamespaceOf()) + needs);
        }
        return refusals;
    }

    /** The namespaces {@code unit} runs in, joined or made now; release them with {@link #release}. */
    ServiceNamespaces acquire(ServiceUnit unit) throws ExecStepException {
        String name = unit.name().toString();
        List<String> joins = unit.unit().joinsNamespaceOf();
        NetworkNamespace net = null;
        PrivateTmp privateTmp = null;
        try {
            if (unit.privateNetwork()) {
                net = (NetworkNamespace) join(network, name, joins, "network namespace", NetworkNamespace::create);
            }
            if (unit.privateTmp()) {
                privateTmp = (PrivateTmp) join(tmp, name, joins, "private /tmp", () -> PrivateTmp.create(name));
            }
        } catch (ExecStepException e) {
            leave(network, name);
            throw e;
        }
        return new ServiceNamespaces(net, privateTmp);
    }

    /** The service has stopped: it no longer uses its namespaces, which close once nobody does. */
    void release(ServiceUnit unit) {
        String name = unit.name().toString();
        leave(network, name);
        leave(tmp, name);
    }

    private interface Factory {
        AutoCloseable create() throws ExecStepException;
    }

    private static AutoCloseable join(List<Held> held, String name, List<String> joins, String what, Factory factory)
            throws ExecStepException {
        for (Held h : held) {
            if (h.users.containsKey(name) || h.joinedBy(name, joins)) {
                LOG.log(Level.DEBUG, () -> name + ": Joining the " + what + " of " + String.join(", ", h.users.keySet()));
                h.users.put(name, joins);
                return h.namespace;
            }
        }
        Held fresh = new Held(factory.create());
        fresh.users.put(name, joins);
        held.add(fresh);
        LOG.log(Level.DEBUG, () -> name + ": Created a " + what);
        return fresh.namespace;
    }

    private static void leave(List<Held> held, String name) {
        for (var it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            if (h.users.remove(name) != null && h.users.isEmpty()) {
                it.remove();
                try {
                    h.namespace.close();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, name + ": Failed to release a namespace: " + e.getMessage());
                }
            }
        }
    }
}
