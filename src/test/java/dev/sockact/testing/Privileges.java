package dev.sockact.testing;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Namespaces;
import dev.sockact.posix.Processes;

import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the tests of PrivateNetwork=/PrivateTmp= need from the machine, checked once, as assumptions. */
public final class Privileges {
    private static volatile Boolean namespaces;

    private Privileges() {
        throw new AssertionError();
    }

    /**
     * Skips the test unless this process runs as root and may make namespaces: root in a container without
     * CAP_SYS_ADMIN may not (unshare fails with EPERM), and there the daemon refuses such services, as it must.
     */
    public static void assumeNamespaces() {
        assumeTrue(Processes.uid() == 0, "namespaces need root");
        assumeTrue(canUnshareNetwork(), "unshare(CLONE_NEWNET) is not permitted here (no CAP_SYS_ADMIN)");
    }

    private static boolean canUnshareNetwork() {
        Boolean known = namespaces;
        if (known == null) {
            // On a throwaway platform thread: a namespace belongs to the task that made it, and the thread ends.
            AtomicBoolean ok = new AtomicBoolean();
            Thread probe = Thread.ofPlatform().start(() -> {
                try {
                    Namespaces.unshare(Namespaces.CLONE_NEWNET);
                    ok.set(true);
                } catch (ErrnoException e) {
                    ok.set(false);
                }
            });
            try {
                probe.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            known = ok.get();
            namespaces = known;
        }
        return known;
    }
}
