package dev.sockact.daemon;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Users;
import dev.sockact.unit.ExecDirectories;
import dev.sockact.unit.ExecDirectories.Kind;
import dev.sockact.unit.ServiceUnit;

import java.util.ArrayList;
import java.util.List;

/**
 * DynamicUser=yes, as far as sockact honours it. systemd first looks for a static user of that name (User=, else
 * the unit's prefix) and, when there is one, runs the service as it: so does sockact, with the PrivateTmp=yes it
 * implies. Without one systemd allocates a UID from 61184-65519 that nss-systemd names while the service runs;
 * sockact has no such NSS module, so files the service left behind would belong to a nameless UID that a later
 * service may get: it refuses instead, and says how to make the user. The StateDirectory=, CacheDirectory= and
 * LogsDirectory= (and a preserved RuntimeDirectory=) of such a unit live under {@code private/} in systemd, behind a
 * mount only the service sees, which sockact does not make: refused too.
 */
final class DynamicUsers {

    private DynamicUsers() {
        throw new AssertionError();
    }

    /** Why the unit cannot start here, one message each; empty when it can (or has DynamicUser=no). */
    static List<String> refusals(ServiceUnit unit) {
        if (!unit.dynamicUser()) {
            return List.of();
        }
        List<String> refusals = new ArrayList<>();
        String user = unit.user();
        if (!staticUserExists(user)) {
            refusals.add("DynamicUser=yes: there is no user '" + user + "', and sockact does not allocate dynamic"
                    + " users (without nss-systemd their files would belong to a UID with no name). Create a system"
                    + " user (useradd --system --no-create-home " + user + ") or set User= to an existing one.");
        }
        ExecDirectories directories = unit.directories();
        for (Kind kind : List.of(Kind.STATE, Kind.CACHE, Kind.LOGS, Kind.RUNTIME)) {
            boolean privateKind = kind != Kind.RUNTIME
                    || directories.preserve() != ExecDirectories.Preserve.NO;
            if (privateKind && !directories.paths(kind).isEmpty()) {
                refusals.add(kind.key() + "= with DynamicUser=yes is not supported by sockact: systemd keeps it"
                        + " under private/, reachable only through a mount in the service's namespace.");
            }
        }
        return refusals;
    }

    private static boolean staticUserExists(String user) {
        if (user.isEmpty()) {
            return false;
        }
        try {
            return Users.user(user).isPresent();
        } catch (ErrnoException e) {
            return false;
        }
    }
}
