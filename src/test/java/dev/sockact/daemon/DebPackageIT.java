package dev.sockact.daemon;

import dev.sockact.posix.Processes;
import dev.sockact.testing.Await;
import dev.sockact.testing.Clients;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Ports;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * packaging/build-deb, end to end, as root: the package builds, lintian (where installed) reports no error, it
 * installs, the README's socket-activate example and an Accept=yes socket under the installed sockactd work with no
 * JDK on PATH and no JAVA_HOME (so does the init script's start and stop, where systemd does not run), and
 * {@code dpkg --purge} leaves none of its files behind. Skipped where not root, without dpkg-dev, or where a sockact
 * package is installed already (the test would remove it).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DebPackageIT {
    private static final Path BUILD = Path.of("packaging/build-deb").toAbsolutePath();
    private static final Path POLICY = Path.of("/usr/sbin/policy-rc.d");
    private static final Path UNITS = Path.of("/etc/sockact/units");
    private static final List<Path> LEFT_BEHIND = List.of(Path.of("/usr/lib/sockact"), Path.of("/etc/sockact"),
            Path.of("/run/sockact"), Path.of("/usr/share/doc/sockact"), Path.of("/etc/init.d/sockact"),
            Path.of("/etc/default/sockact"), Path.of("/var/log/sockactd.log"), Path.of("/run/sockactd.pid"));

    @TempDir
    Path dir;

    @Test
    void buildsInstallsRunsWithoutAJdkAndPurgesClean() throws Exception {
        assumeTrue(Processes.uid() == 0, "installs a package: needs root");
        for (String tool : List.of("/usr/bin/dpkg", "/usr/bin/dpkg-deb", "/usr/bin/dpkg-shlibdeps", "/usr/bin/strip")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), "needs " + tool + " (dpkg-dev, binutils)");
        }
        assumeTrue(run(dir.resolve("query.txt"), "dpkg-query", "-W", "sockact") != 0, "sockact is installed here");
        assumeTrue(LEFT_BEHIND.stream().noneMatch(p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS)),
                "files of a sockact install are present: " + LEFT_BEHIND);

        Path built = dir.resolve("build.txt");
        assertThat(run(built, BUILD.toString(), "--quick")).as(() -> read(built)).isZero();
        List<Path> debs = debs();
        assertThat(debs).as(read(built)).hasSize(1);
        Path deb = debs.getFirst();
        if (Files.isExecutable(Path.of("/usr/bin/lintian"))) {
            Path lint = dir.resolve("lintian.txt");
            run(lint, "lintian", deb.toString());
            assertThat(read(lint).lines().filter(l -> l.startsWith("E: "))).as(read(lint)).isEmpty();
        }

        boolean ownPolicy = !Files.exists(POLICY);
        try {
            if (ownPolicy) {   // the package's postinst must not start sockactd on this machine
                Files.writeString(POLICY, "#!/bin/sh\nexit 101\n");
                Files.setPosixFilePermissions(POLICY, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path installed = dir.resolve("install.txt");
            assertThat(run(installed, "dpkg", "-i", deb.toString())).as(() -> read(installed)).isZero();
            Path list = dir.resolve("files.txt");
            assertThat(run(list, "dpkg", "-L", "sockact")).isZero();
            List<Path> files = read(list).lines().map(Path::of).toList();
            assertThat(files).contains(Path.of("/usr/bin/socket-proxyd"), Path.of("/usr/bin/socket-activate"),
                    Path.of("/usr/bin/sockactd"), Path.of("/usr/bin/sockctl"), Path.of("/usr/lib/sockact/sockact.aot"),
                    Path.of("/usr/lib/sockact/sockactd.aot"),
                    Path.of("/usr/share/man/man8/sockactd.8.gz"), Path.of("/usr/share/man/man1/sockctl.1.gz"),
                    Path.of("/usr/share/bash-completion/completions/sockctl"), Path.of("/usr/share/doc/sockact/README.md"),
                    Path.of("/etc/init.d/sockact"), UNITS);

            socketActivateExample();
            socketProxydChoosesItsCompilers();
            acceptYesUnderTheInstalledSockactd();
            if (!Files.isDirectory(Path.of("/run/systemd/system"))) {
                initScriptStartsAndStopsSockactd();
            }
            deleteUnits();

            Path removed = dir.resolve("remove.txt");
            assertThat(run(removed, "dpkg", "-r", "sockact")).as(() -> read(removed)).isZero();
            assertThat(Path.of("/usr/bin/sockactd")).doesNotExist();
            Path purged = dir.resolve("purge.txt");
            assertThat(run(purged, "dpkg", "--purge", "sockact")).as(() -> read(purged)).isZero();
            for (Path file : files) {
                if (!Files.isDirectory(file) || file.startsWith("/usr/lib/sockact") || file.startsWith("/etc/sockact")
                        || file.startsWith("/usr/share/doc/sockact")) {
                    assertThat(file).as("left behind by dpkg --purge").doesNotExist();
                }
            }
            assertThat(LEFT_BEHIND).allSatisfy(p -> assertThat(p).as("left behind").doesNotExist());
            assertThat(rcLinks()).as("init script links left behind").isEmpty();
        } finally {
            deleteUnits();
            run(dir.resolve("cleanup.txt"), "dpkg", "--purge", "sockact");
            if (ownPolicy) {
                Files.deleteIfExists(POLICY);
            }
        }
    }

    /** README: {@code socket-activate -l 127.0.0.1:8080 -a --inetd cat}, one cat per connection. */
    private void socketActivateExample() throws Exception {
        int port = Ports.freeTcpPort();
        Process activate = withoutJdk(new ProcessBuilder("socket-activate", "-l", "127.0.0.1:" + port, "-a",
                "--inetd", "cat")).redirectErrorStream(true).redirectOutput(dir.resolve("activate.txt").toFile()).start();
        try {
            Await.until("socket-activate listens", () -> Clients.connects(port));
            assertThat(Clients.exchange(port, "hello\n")).isEqualTo("hello\n");
            assertThat(Clients.exchange(port, "again\n")).isEqualTo("again\n");
        } finally {
            activate.destroy();
            activate.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The installed socket-proxyd chooses its JVM's compilers from its arguments as bin/socket-proxyd does: C1 alone
     * with --exit-idle-time=, both compilers without (SocketProxydJvmOptionsTest has the cases).
     */
    private void socketProxydChoosesItsCompilers() throws Exception {
        assertThat(proxydJvmArguments("--exit-idle-time=30s")).contains("-XX:TieredStopAtLevel=1");
        assertThat(proxydJvmArguments("--connections-max=8")).doesNotContain("-XX:TieredStopAtLevel=1")
                .contains("-XX:+UseSerialGC");
    }

    /** The java command line of the installed socket-proxyd started with {@code option}, once it listens. */
    private List<String> proxydJvmArguments(String option) throws Exception {
        int port = Ports.freeTcpPort();
        Process proxy = withoutJdk(new ProcessBuilder("socket-proxyd", option, "--listen=127.0.0.1:" + port,
                "127.0.0.1:9")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Await.until("socket-proxyd listens", () -> Clients.connects(port));
            // The launcher execs java: the pid is the JVM's.
            return List.of(Files.readString(Path.of("/proc", Long.toString(proxy.pid()), "cmdline")).split("\0"));
        } finally {
            proxy.destroy();
            proxy.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The installed sockactd on its default unit folder and control socket; SIGTERM stops it with exit 0. */
    private void acceptYesUnderTheInstalledSockactd() throws Exception {
        int port = writeEchoUnits();
        DaemonProcess daemon = new DaemonProcess(withoutJdk(new ProcessBuilder("sockactd"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        try {
            daemon.await("Listening on ");
            assertThat(Clients.exchange(port, "one\n")).isEqualTo("one\n");
            assertThat(Clients.exchange(port, "two\n")).isEqualTo("two\n");
            // The runtime image carries the spawn server, and the installed daemon starts its instances with it.
            assertThat(daemon.process.toHandle().children().map(child -> comm(child.pid())))
                    .as(daemon.log()).contains("sockact-spawn");
            assertThat(Path.of("/run/sockact/control.sock")).exists();
            Path listed = dir.resolve("list.txt");
            assertThat(run(listed, withoutJdk(new ProcessBuilder("sockctl", "list")))).as(() -> read(listed)).isZero();
            assertThat(read(listed)).contains("echo.socket");
            assertThat(daemon.terminate()).as(daemon.log()).isZero();
        } finally {
            daemon.kill();
        }
    }

    /** /etc/init.d/sockact start, a connection, stop: the boot path where systemd is not PID 1. */
    private void initScriptStartsAndStopsSockactd() throws Exception {
        int port = writeEchoUnits();
        Path started = dir.resolve("init-start.txt");
        assertThat(run(started, withoutJdk(new ProcessBuilder("/etc/init.d/sockact", "start")))).as(() -> read(started))
                .isZero();
        try {
            Await.until("sockactd listens", Duration.ofSeconds(60), () -> Clients.connects(port));
            assertThat(Clients.exchange(port, "boot\n")).isEqualTo("boot\n");
            assertThat(run(dir.resolve("status.txt"), "/etc/init.d/sockact", "status")).isZero();
        } finally {
            Path stopped = dir.resolve("init-stop.txt");
            assertThat(run(stopped, "/etc/init.d/sockact", "stop")).as(() -> read(stopped)).isZero();
        }
        assertThat(run(dir.resolve("status.txt"), "/etc/init.d/sockact", "status")).isEqualTo(3);
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "";   // it exited meanwhile
        }
    }

    private static int writeEchoUnits() throws IOException {
        int port = Ports.freeTcpPort();
        Files.writeString(UNITS.resolve("echo.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        Files.writeString(UNITS.resolve("echo@.service"), "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n");
        return port;
    }

    private static void deleteUnits() throws IOException {
        Files.deleteIfExists(UNITS.resolve("echo.socket"));
        Files.deleteIfExists(UNITS.resolve("echo@.service"));
    }

    /** An environment with no JAVA_HOME and a PATH with the installed tools and a shell's, and no java. */
    private ProcessBuilder withoutJdk(ProcessBuilder pb) throws IOException {
        Path bin = dir.resolve("bin");
        if (!Files.isDirectory(bin)) {
            Files.createDirectory(bin);
            // Scripts, not links: links out of a @TempDir make JUnit warn at clean-up.
            for (String tool : List.of("/usr/bin/socket-activate", "/usr/bin/socket-proxyd", "/usr/bin/sockactd",
                    "/usr/bin/sockctl", "/bin/cat")) {
                Path script = bin.resolve(Path.of(tool).getFileName());
                Files.writeString(script, "#!/bin/sh\nexec " + tool + " \"$@\"\n");
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", bin.toString());
        env.put("HOME", "/root");
        return pb;
    }

    private List<Path> debs() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> target = Files.newDirectoryStream(Path.of("target"), "sockact_*.deb")) {
            target.forEach(out::add);
        }
        return out;
    }

    private static List<Path> rcLinks() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> etc = Files.newDirectoryStream(Path.of("/etc"), "rc?.d")) {
            for (Path rc : etc) {
                try (DirectoryStream<Path> links = Files.newDirectoryStream(rc, "*sockact")) {
                    links.forEach(out::add);
                }
            }
        }
        return out;
    }

    private static int run(Path output, String... command) throws IOException, InterruptedException {
        return run(output, new ProcessBuilder(command));
    }

    private static int run(Path output, ProcessBuilder pb) throws IOException, InterruptedException {
        Process p = pb.redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(p.waitFor(8, TimeUnit.MINUTES)).as(String.join(" ", pb.command())).isTrue();
        return p.exitValue();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e + ")";
        }
    }
}
