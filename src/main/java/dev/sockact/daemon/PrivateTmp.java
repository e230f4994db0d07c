package dev.sockact.daemon;

import dev.sockact.posix.Errno;
import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Namespaces;
import dev.sockact.posix.PosixFiles;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;

/**
 * PrivateTmp=yes, as systemd does it: {@code /tmp/sockact-private-<boot id>-<unit>-XXXXXX/tmp} and the same
 * under /var/tmp (mode 1777 inside a 0700 folder), bind-mounted on /tmp and /var/tmp in a mount namespace of
 * their own. That namespace is a slave of the host's, so what the host mounts later still appears in it, and
 * nothing mounted in it leaks out. The folders are removed when the last service using them has stopped.
 */
final class PrivateTmp implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("sockactd");
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Fd fd;
    private final Path tmpRoot;
    private final Path varTmpRoot;

    private PrivateTmp(Fd fd, Path tmpRoot, Path varTmpRoot) {
        this.fd = fd;
        this.tmpRoot = tmpRoot;
        this.varTmpRoot = varTmpRoot;
    }

    /** Makes the folders and the mount namespace for {@code unit}; on failure nothing is left behind. */
    static PrivateTmp create(String unit) throws ExecStepException {
        Path tmpRoot = null;
        Path varTmpRoot = null;
        try {
            String prefix = "sockact-private-" + bootId() + "-" + unit + "-";
            tmpRoot = makePrivateFolder(Path.of("/tmp"), prefix);
            varTmpRoot = makePrivateFolder(Path.of("/var/tmp"), prefix);
            Path tmp = tmpRoot.resolve("tmp");
            Path varTmp = varTmpRoot.resolve("tmp");
            Fd fd = NamespaceThread.run("sockactd-mntns", () -> {
                // unshare(CLONE_NEWNS) also gives this thread its own root and working directory (CLONE_FS).
                Namespaces.unshare(Namespaces.CLONE_NEWNS);
                Namespaces.mount(null, "/", null, Namespaces.MS_REC | Namespaces.MS_SLAVE);
                Namespaces.mount(tmp.toString(), "/tmp", null, Namespaces.MS_BIND | Namespaces.MS_REC);
                Namespaces.mount(varTmp.toString(), "/var/tmp", null, Namespaces.MS_BIND | Namespaces.MS_REC);
                return Namespaces.openOwn("mnt");
            });
            return new PrivateTmp(fd, tmpRoot, varTmpRoot);
        } catch (IOException e) {
            removeQuietly(tmpRoot);
            removeQuietly(varTmpRoot);
            throw new ExecStepException(ExecStepException.Step.NAMESPACE,
                    "Failed to set up a private /tmp: " + e.getMessage(), e);
        }
    }

    /** mkdtemp(PREFIX + XXXXXX) with mode 0700 and, inside it, "tmp" with mode 1777 (the umask does not apply). */
    private static Path makePrivateFolder(Path parent, String prefix) throws ErrnoException {
        for (int attempt = 0; ; attempt++) {
            StringBuilder name = new StringBuilder(prefix);
            for (int i = 0; i < 6; i++) {
                name.append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
            }
            Path root = parent.resolve(name.toString());
            try {
                PosixFiles.mkdir(root.toString(), 0700);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EEXIST.number() && attempt < 100) {
                    continue;
                }
                throw e;
            }
            try {
                PosixFiles.mkdir(root.resolve("tmp").toString(), 01777);
                PosixFiles.chmod(root.resolve("tmp").toString(), 01777);
            } catch (ErrnoException e) {
                removeQuietly(root);
                throw e;
            }
            return root;
        }
    }

    /** The kernel's boot id without dashes, as systemd writes it in its folder names. */
    private static String bootId() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip().replace("-", "");
    }

    Fd fd() {
        return fd;
    }

    /** The folder mounted on the service's /tmp, as the host sees it. */
    Path tmp() {
        return tmpRoot.resolve("tmp");
    }

    /** Closes the namespace and removes both folders with what the services left in them. */
    @Override
    public void close() {
        fd.close();
        removeQuietly(tmpRoot);
        removeQuietly(varTmpRoot);
    }

    /**
     * rm -rf without following symbolic links (a service may leave links pointing anywhere); a failure is logged.
     * The runtime directories ({@link ServiceDirectories}) go the same way.
     */
    static void removeQuietly(Path root) {
        if (root == null) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (!(e instanceof NoSuchFileException)) {
                        Files.deleteIfExists(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "Failed to remove " + root + ": " + e.getMessage());
        }
    }
}
