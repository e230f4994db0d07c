package dev.sockact.daemon;

import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.NobodyHome;
import dev.sockact.testing.Privileges;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RuntimeDirectory= and its siblings with bin/sockactd and real services, which report what they see (the
 * variables, and stat(1) of their directories) on their output. As root, the system manager's base folders are
 * moved under the test's folder ({@link ServiceDirectories#TEST_ROOT_VARIABLE}); the --user case runs sockactd as
 * uid 65534 in a home of its own.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServiceDirectoriesIT {
    private static final int NOBODY = NobodyHome.UID;

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    private Path root;

    @BeforeEach
    void needsRoot() throws IOException {
        assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root")
                && Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs root and setpriv");
        // uid 65534 must reach its directories and the scripts: the test's folder is 0700 otherwise.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        root = Files.createDirectories(dir.resolve("root"));
    }

    private DaemonProcess startDaemon() throws IOException {
        ProcessBuilder pb = DaemonProcess.builder(daemons.units(), daemons.controlSocket());
        pb.environment().put(ServiceDirectories.TEST_ROOT_VARIABLE, root.toString());
        DaemonProcess d = daemons.track(new DaemonProcess(pb.start()));
        daemons.awaitControlSocket();
        return d;
    }

    private Path script(String name, String body) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static String modeAndOwner(Path path) throws IOException {
        int mode = (int) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        return Integer.toOctalString(mode) + " " + Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)
                + ":" + Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Every kind, made before ExecStartPre=, owned by User= with the leaf's whole tree (a file left in an existing
     * state folder too), the parents of a nested path 0755 and root's, the mode applied to an existing directory
     * but not to an existing ConfigurationDirectory=; the variables name them, colon-separated. At stop the
     * runtime paths go (not their parents), the others stay.
     */
    @Test
    void everyKindIsMadeOwnedAndNamedBeforeTheFirstCommandAndTheRuntimeOnesGoAtStop() throws Exception {
        Path state = Files.createDirectories(root.resolve("var/lib/probe"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(state.resolve("left-over"), "x");
        Path config = Files.createDirectories(root.resolve("etc/probe"));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rwx------"));
        Path report = script("report.sh", """
                echo "runtime=$RUNTIME_DIRECTORY state=$STATE_DIRECTORY cache=$CACHE_DIRECTORY"
                echo "logs=$LOGS_DIRECTORY config=$CONFIGURATION_DIRECTORY"
                IFS=:
                for d in $RUNTIME_DIRECTORY $STATE_DIRECTORY; do stat -c "seen %n %a %u:%g" "$d"; done
                touch "$STATE_DIRECTORY/written" && echo "wrote as $(id -u)"
                """);
        Files.writeString(daemons.units().resolve("probe.service"), "[Service]\nType=oneshot\nRemainAfterExit=yes\n"
                + "User=nobody\nRuntimeDirectory=probe/inner second\nRuntimeDirectoryMode=0750\n"
                + "StateDirectory=probe\nCacheDirectory=probe\nLogsDirectory=probe\nConfigurationDirectory=probe\n"
                + "ExecStartPre=/usr/bin/test -d " + root.resolve("run/second") + "\n"
                + "ExecStart=" + report + "\nStandardOutput=journal\n");
        DaemonProcess d = startDaemon();

        daemons.ctl("start", "probe.service");
        d.await("wrote as " + NOBODY);
        String log = d.log();
        Path run = root.resolve("run");
        assertThat(log).contains("runtime=" + run.resolve("probe/inner") + ":" + run.resolve("second")
                + " state=" + state + " cache=" + root.resolve("var/cache/probe"));
        assertThat(log).contains("logs=" + root.resolve("var/log/probe") + " config=" + config);
        assertThat(log).contains("seen " + run.resolve("probe/inner") + " 750 " + NOBODY + ":" + NOBODY)
                .contains("seen " + run.resolve("second") + " 750 " + NOBODY + ":" + NOBODY)
                .contains("seen " + state + " 755 " + NOBODY + ":" + NOBODY);
        assertThat(log).contains("ConfigurationDirectory 'probe' already exists but the mode is different."
                + " (File system: 700 ConfigurationDirectoryMode: 755)");
        assertThat(modeAndOwner(run.resolve("probe"))).isEqualTo("755 0:0");
        assertThat(modeAndOwner(state.resolve("left-over"))).endsWith(" " + NOBODY + ":" + NOBODY);
        assertThat(modeAndOwner(root.resolve("var/cache/probe"))).isEqualTo("755 " + NOBODY + ":" + NOBODY);
        assertThat(modeAndOwner(config)).isEqualTo("700 0:0");

        daemons.ctl("stop", "probe.service");
        d.await("probe.service: Changed exited -> dead");
        assertThat(run.resolve("probe/inner")).doesNotExist();
        assertThat(run.resolve("second")).doesNotExist();
        assertThat(run.resolve("probe")).isDirectory();
        assertThat(state.resolve("written")).exists();
        assertThat(root.resolve("var/log/probe")).isDirectory();
    }

    /**
     * RuntimeDirectoryPreserve=restart keeps the folder across an automatic restart (the second run finds what the
     * first left) and removes it at stop; =no empties it for every run; =yes keeps it after the stop.
     */
    @Test
    void preserveKeepsTheRuntimeDirectoryAsAsked() throws Exception {
        Path marker = script("marker.sh", """
                if [ -e "$RUNTIME_DIRECTORY/marker" ]; then echo "found marker"; exit 0; fi
                touch "$RUNTIME_DIRECTORY/marker"; echo "no marker"; exit 1
                """);
        String unit = "[Service]\nType=oneshot\nRemainAfterExit=yes\nRestart=on-failure\nRestartSec=50ms\n"
                + "ExecStart=" + marker + "\nStandardOutput=journal\nSyslogIdentifier=%n\nRuntimeDirectory=%N\n";
        Files.writeString(daemons.units().resolve("keep.service"), unit + "RuntimeDirectoryPreserve=restart\n");
        Files.writeString(daemons.units().resolve("fresh.service"), "[Unit]\nStartLimitBurst=2\n" + unit);
        Files.writeString(daemons.units().resolve("forever.service"), "[Service]\nType=oneshot\n"
                + "ExecStart=/bin/true\nRuntimeDirectory=forever\nRuntimeDirectoryPreserve=yes\n");
        DaemonProcess d = startDaemon();
        Path run = root.resolve("run");

        daemons.ctl("start", "keep.service");
        d.await("keep.service: Scheduled restart job, restart counter is at 1.");
        d.await("found marker");
        d.await("keep.service: Changed start -> exited");
        assertThat(run.resolve("keep/marker")).exists();
        daemons.ctl("stop", "keep.service");
        d.await("keep.service: Changed exited -> dead");
        assertThat(run.resolve("keep")).doesNotExist();

        daemons.ctl("start", "fresh.service");
        d.await("fresh.service: Start request repeated too quickly.");
        assertThat(DaemonProcess.count(d.log(), "fresh.service[")).isEqualTo(2);
        assertThat(d.log()).doesNotContain("fresh.service: found marker");
        assertThat(run.resolve("fresh")).doesNotExist();

        daemons.ctl("start", "forever.service");
        d.await("forever.service: Deactivated successfully.");
        assertThat(run.resolve("forever")).isDirectory();
    }

    /**
     * A file where the directory should be fails the start as systemd's child does: 233/RUNTIME_DIRECTORY, result
     * exit-code.
     */
    @Test
    void aDirectoryThatCannotBeMadeFailsTheStartWithItsExitStatus() throws Exception {
        Files.createDirectories(root.resolve("run"));
        Files.writeString(root.resolve("run/blocked"), "in the way");
        Files.writeString(daemons.units().resolve("blocked.service"), "[Service]\nExecStart=/bin/true\n"
                + "RuntimeDirectory=blocked\n");
        DaemonProcess d = startDaemon();

        daemons.ctl("start", "blocked.service");
        String log = d.await("blocked.service: Failed with result 'exit-code'.");
        assertThat(log).contains("blocked.service: Failed to set up special execution directory in "
                        + root.resolve("run") + ": Not a directory")
                .contains("blocked.service: Failed at step RUNTIME_DIRECTORY spawning /bin/true: Not a directory")
                .contains("blocked.service: Main process exited, code=exited, status=233/RUNTIME_DIRECTORY");
        // Entering failed removes the runtime paths, whatever they are, as systemd's rm_rf(REMOVE_ROOT) does.
        assertThat(root.resolve("run/blocked")).doesNotExist();
    }

    /** --user as uid 65534: the XDG folders under its home, made by that user; the runtime one goes at stop. */
    @Test
    void userManagerUsesTheXdgFolders() throws Exception {
        try (NobodyHome nobody = NobodyHome.create()) {
            Files.setAttribute(nobody.home(), "unix:uid", NOBODY);   // a home belongs to its user
            int port = freeTcpPort();
            Files.writeString(nobody.units().resolve("u.socket"), "[Socket]\nListenStream=127.0.0.1:" + port
                    + "\nAccept=yes\n");
            Files.writeString(nobody.units().resolve("u@.service"), "[Service]\nStandardOutput=socket\n"
                    + "RuntimeDirectory=u\nStateDirectory=u\nCacheDirectory=u\nLogsDirectory=u\n"
                    + "ConfigurationDirectory=u\nExecStart=/bin/sh -c 'env | grep _DIRECTORY= | sort;"
                    + " stat -c \"%%u %%a\" \"$LOGS_DIRECTORY\"'\n");
            DaemonProcess d = daemons.track(nobody.startDaemon());
            d.await("Listening on u.socket.");

            String seen;
            try (Socket client = new Socket("127.0.0.1", port)) {
                seen = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            Path home = nobody.home();
            assertThat(seen).as(d::log).isEqualTo("CACHE_DIRECTORY=" + home.resolve(".cache/u") + "\n"
                    + "CONFIGURATION_DIRECTORY=" + home.resolve(".config/u") + "\n"
                    + "LOGS_DIRECTORY=" + home.resolve(".local/state/log/u") + "\n"
                    + "RUNTIME_DIRECTORY=" + nobody.runtime().resolve("u") + "\n"
                    + "STATE_DIRECTORY=" + home.resolve(".local/state/u") + "\n"
                    + NOBODY + " 755\n");
            assertThat(d.terminate()).as(d.log()).isZero();
            assertThat(nobody.runtime().resolve("u")).doesNotExist();
        }
    }

    /**
     * DynamicUser=yes with a static user of that name runs as it (with the private /tmp it implies); without one,
     * or with a StateDirectory= that systemd would keep under private/, the start is refused with a message.
     */
    @Test
    void dynamicUserRunsAsTheStaticUserOrIsRefused() throws Exception {
        Privileges.assumeNamespaces();
        Files.writeString(daemons.units().resolve("dyn.service"), "[Service]\nDynamicUser=yes\nUser=nobody\n"
                + "ExecStart=/bin/sh -c 'echo \"dynamic as $(id -u)\"; ls -A /tmp | wc -l'\nStandardOutput=journal\nSyslogIdentifier=%n\n");
        Files.writeString(daemons.units().resolve("sockact-no-such-user.service"), "[Service]\nDynamicUser=yes\n"
                + "ExecStart=/bin/true\n");
        Files.writeString(daemons.units().resolve("dynstate.service"), "[Service]\nDynamicUser=yes\nUser=nobody\n"
                + "StateDirectory=dynstate\nExecStart=/bin/true\n");
        Files.createFile(Path.of("/tmp").resolve("sockact-dynamic-user-host-" + ProcessHandle.current().pid()));
        DaemonProcess d = startDaemon();
        try {
            daemons.ctl("start", "dyn.service");
            String log = d.await("dyn.service: Deactivated successfully.");
            assertThat(log).contains("dynamic as " + NOBODY).containsPattern("dyn\\.service\\[\\d+\\]: 0\n");

            daemons.ctl("start", "sockact-no-such-user.service");
            log = d.await("sockact-no-such-user.service: Failed with result 'resources'.");
            assertThat(log).contains("sockact-no-such-user.service: DynamicUser=yes: there is no user"
                    + " 'sockact-no-such-user', and sockact does not allocate dynamic users");

            daemons.ctl("start", "dynstate.service");
            log = d.await("dynstate.service: Failed with result 'resources'.");
            assertThat(log).contains("dynstate.service: StateDirectory= with DynamicUser=yes is not supported by"
                    + " sockact");
            assertThat(root.resolve("var/lib/dynstate")).doesNotExist();
        } finally {
            Files.deleteIfExists(Path.of("/tmp").resolve("sockact-dynamic-user-host-" + ProcessHandle.current().pid()));
        }
    }
}
