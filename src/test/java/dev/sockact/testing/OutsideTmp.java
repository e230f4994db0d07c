package dev.sockact.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the files of a PrivateTmp= test live: a service with PrivateTmp=yes sees its own empty /tmp and /var/tmp,
 * so nothing it must reach (its program, its classes, a socket it connects to) may be under the host's. A
 * checkout under /tmp (a CI clone, say) is therefore mirrored once per test JVM under /run, which the tests that
 * need this run as root anyway; elsewhere the checkout itself is used.
 */
public final class OutsideTmp {
    private static final Path CHECKOUT = Path.of("").toAbsolutePath();
    /** What a service started by a test runs from the checkout: launchers, the built jar and classes. */
    private static final List<String> MIRRORED = List.of("bin", "target/sockact.jar", "target/lib",
            "target/classes", "target/test-classes");
    private static Path mirror;

    private OutsideTmp() {
        throw new AssertionError();
    }

    static boolean underTmp(Path path) {
        return path.startsWith("/tmp") || path.startsWith("/var/tmp");
    }

    /** The checkout as a PrivateTmp= service can see it: the checkout, or its mirror under /run. */
    public static synchronized Path checkout() {
        if (!underTmp(CHECKOUT)) {
            return CHECKOUT;
        }
        if (mirror == null) {
            try {
                Path root = Files.createTempDirectory(Files.createDirectories(Path.of("/run/sockact-it")), "checkout-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root)));
                for (String part : MIRRORED) {
                    copyTree(CHECKOUT.resolve(part), root.resolve(part));
                }
                mirror = root;
            } catch (IOException e) {
                throw new UncheckedIOException("mirroring the checkout under /run", e);
            }
        }
        return mirror;
    }

    /** A new folder a PrivateTmp= service can see: under target/it, or under /run when the checkout is in /tmp. */
    public static Path newFolder(String prefix) throws IOException {
        Path parent = underTmp(CHECKOUT) ? Path.of("/run/sockact-it") : CHECKOUT.resolve("target/it");
        return Files.createTempDirectory(Files.createDirectories(parent), prefix);
    }

    /** Removes {@code folder} and everything in it; what cannot be removed is left. */
    public static void deleteQuietly(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover under /run or target/ does no harm
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            return;
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Path copy = to.resolve(from.relativize(file).toString());
                Files.createDirectories(copy.getParent());   // a single file (the jar) has no directory visited
                Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
