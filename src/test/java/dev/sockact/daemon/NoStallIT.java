package dev.sockact.daemon;

import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Inputs that used to stall sockactd or make it lose track of a unit: special files in a unit directory, idle
 * connections on the control socket, a reload that changes a socket whose service runs.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NoStallIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    private static void mkfifo(Path path) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }

    /**
     * A FIFO and a /dev/zero symlink as unit files, a FIFO as a drop-in and as an EnvironmentFile=, a drop-in folder
     * that is a symlink loop: each is refused with its path and what it is, and the good units beside them load,
     * listen and serve; reload, verify and SIGTERM all finish.
     */
    @Test
    void specialFilesInTheUnitDirectoryAreRefusedAndTheOthersLoad() throws Exception {
        Path units = daemons.units();
        int port = freeTcpPort();
        int envPort = freeTcpPort();
        Files.writeString(units.resolve("good.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        Files.writeString(units.resolve("good@.service"), "[Service]\nExecStart=/bin/echo good\nStandardOutput=socket\n");
        Files.createSymbolicLink(units.resolve("good.socket.d"), units.resolve("loop.d"));
        Files.createSymbolicLink(units.resolve("loop.d"), units.resolve("good.socket.d"));
        mkfifo(units.resolve("fifo.socket"));
        Files.createSymbolicLink(units.resolve("zero.socket"), Path.of("/dev/zero"));
        Files.writeString(units.resolve("dropin.socket"), "[Socket]\nListenStream=127.0.0.1:" + freeTcpPort() + "\n");
        Files.writeString(units.resolve("dropin.service"), "[Service]\nExecStart=/bin/true\n");
        Files.createDirectory(units.resolve("dropin.socket.d"));
        mkfifo(units.resolve("dropin.socket.d/fifo.conf"));
        Path envFifo = dir.resolve("env.fifo");
        mkfifo(envFifo);
        Files.writeString(units.resolve("env.socket"), "[Socket]\nListenStream=127.0.0.1:" + envPort + "\nAccept=yes\n");
        Files.writeString(units.resolve("env@.service"), "[Service]\nExecStart=/bin/echo env\nStandardOutput=socket\n"
                + "EnvironmentFile=" + envFifo + "\n");

        DaemonProcess d = daemons.start();
        d.await("Listening on good.socket.");
        d.await("Listening on env.socket.");
        String log = d.await("zero.socket: Failed to load (error), skipping.");
        assertThat(log).contains("fifo.socket: Failed to open " + units.resolve("fifo.socket")
                + ": not a regular file (a FIFO)");
        assertThat(log).contains("fifo.socket: Failed to load (error), skipping.");
        assertThat(log).contains("zero.socket: Failed to open " + units.resolve("zero.socket")
                + ": not a regular file (a character device)");
        assertThat(log).contains("dropin.socket: Failed to open " + units.resolve("dropin.socket.d/fifo.conf")
                + ": not a regular file (a FIFO)");
        assertThat(log).contains("good.socket: Failed to read drop-in folder " + units.resolve("good.socket.d")
                + ", ignoring: Too many levels of symbolic links");
        assertThat(log).doesNotContain("Failed to load (loaded)");
        assertThat(read(port)).isEqualTo("good\n");

        // The FIFO as EnvironmentFile= fails that instance's start, with the path; the socket goes on.
        assertThat(read(envPort)).isEmpty();
        d.await("Failed to load environment file " + envFifo + ": not a regular file (a FIFO)");

        Run reload = daemons.ctl("reload");
        assertThat(reload.status()).as(reload.err()).isZero();
        d.await("Reloading.");
        assertThat(read(port)).isEqualTo("good\n");

        Run verify = Sockctl.sockctl(dir, "verify", units.resolve("fifo.socket").toString());
        assertThat(verify.status()).isEqualTo(1);
        assertThat(verify.err()).contains("Failed to open " + units.resolve("fifo.socket") + ": not a regular file (a FIFO)");
        Run verifyZero = Sockctl.sockctl(dir, "verify", units.resolve("zero.socket").toString());
        assertThat(verifyZero.err()).contains("not a regular file (a character device)");

        assertThat(d.terminate()).as(d.log()).isZero();
    }

    /**
     * 300 control connections held open by one process and 16 each by two others (the per-process limit), each opened
     * again as soon as the daemon closes it, do not keep sockctl out: every one of 40 commands gets its answer.
     */
    @Test
    void idleControlConnectionsDoNotLockSockctlOut() throws Exception {
        Files.writeString(daemons.units().resolve("a.socket"), "[Socket]\nListenStream=127.0.0.1:" + freeTcpPort() + "\n");
        Files.writeString(daemons.units().resolve("a.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on a.socket.");
        long started = System.nanoTime();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger opened = new AtomicInteger();
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            holders.add(Thread.ofVirtual().start(() -> holdOpen(daemons.controlSocket(), stop, opened)));
        }
        List<Process> others = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            others.add(new ProcessBuilder("python3", "-c", HOLDER, daemons.controlSocket().toString(), "16")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        try {
            d.await("Control connections of PID");   // the per-process limit reached: its idle ones are pushed out
            for (int i = 0; i < 40; i++) {
                Run list = daemons.ctl("list");
                assertThat(list.status()).as("sockctl list #%d: %s", i, list.err()).isZero();
                assertThat(list.out()).contains("a.socket");
            }
            assertThat(others).allMatch(Process::isAlive);
        } finally {
            stop.set(true);
            holders.forEach(Thread::interrupt);
            others.forEach(Process::destroyForcibly);
        }
        assertThat(opened.get()).isGreaterThan(300);
        long tenSecondPeriods = (System.nanoTime() - started) / 10_000_000_000L + 1;
        assertThat(DaemonProcess.count(d.log(), "Control connections of PID")).as("at most once per 10 s")
                .isBetween(1, (int) tenSecondPeriods);
        assertThat(d.terminate()).isZero();
    }

    /** Holds N connections to the control socket (argv 1, 2), sending nothing; opens a new one for each closed. */
    private static final String HOLDER = """
            import select, socket, sys
            path, n = sys.argv[1], int(sys.argv[2])
            def connect():
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                return s
            held = [connect() for _ in range(n)]
            while True:
                readable, _, _ = select.select(held, [], [])
                for s in readable:
                    if not s.recv(4096):
                        held.remove(s)
                        s.close()
                        held.append(connect())
            """;

    /** Connects to the control socket and sends nothing; connects again whenever the daemon closes it. */
    private static void holdOpen(Path control, AtomicBoolean stop, AtomicInteger opened) {
        ByteBuffer buffer = ByteBuffer.allocate(256);
        while (!stop.get()) {
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                channel.connect(UnixDomainSocketAddress.of(control));
                opened.incrementAndGet();
                while (!stop.get() && channel.read(buffer.clear()) >= 0) {
                    // a busy reply, or nothing: wait for the close
                }
            } catch (IOException e) {
                // closed or refused: connect again
            }
        }
    }

    /**
     * A reload that changes the Listen lines of a socket whose service runs: the socket stays loaded, every command
     * finds it with the change pending, and the new definition takes over once the service has stopped.
     */
    @Test
    void socketWithPendingListenChangeStaysVisible() throws Exception {
        int newPort = freeTcpPort();
        DaemonProcess d = reloadWithNewPortWhileServiceRuns(newPort);
        d.await("a.socket: Listen settings changed, restarting the socket once a.service has stopped.");

        Run status = daemons.ctl("status", "a.socket");
        assertThat(status.status()).as(status.err()).isIn(0, 3);
        assertThat(status.out()).contains("Pending: Listen settings changed, restarting the socket once a.service"
                + " has stopped.");
        assertThat(daemons.ctl("list", "--all").out()).contains("a.socket");
        assertThat(daemons.ctl("list-units", "--all").out()).contains("a.socket");
        assertThat(daemons.ctl("show", "-p", "Id", "a.socket").out()).isEqualTo("Id=a.socket\n");

        Run stopService = daemons.ctl("stop", "a.service");
        assertThat(stopService.status()).as(stopService.err()).isZero();
        d.await("Listening on a.socket.", 2);
        Run after = daemons.ctl("status", "a.socket");
        assertThat(after.out()).contains("127.0.0.1:" + newPort + " (Stream)").doesNotContain("Pending:");
        assertThat(d.terminate()).isZero();
    }

    /** stop on a socket whose change is pending: the new definition is loaded when the service stops, not started. */
    @Test
    void stoppingASocketWithAPendingChangeKeepsItsNewDefinitionStopped() throws Exception {
        int newPort = freeTcpPort();
        DaemonProcess d = reloadWithNewPortWhileServiceRuns(newPort);
        d.await("a.socket: Listen settings changed");
        Run stop = daemons.ctl("stop", "a.socket");
        assertThat(stop.status()).as(stop.err()).isZero();
        assertThat(daemons.ctl("stop", "a.service").status()).isZero();
        d.await("a.service: Changed stop-sigterm -> dead");
        assertThat(daemons.ctl("status", "a.socket").out()).contains("127.0.0.1:" + newPort + " (Stream)")
                .contains("inactive (dead)").doesNotContain("Pending:");
        assertThat(DaemonProcess.count(d.log(), "Listening on a.socket.")).isEqualTo(1);
        assertThat(d.terminate()).isZero();
    }

    /**
     * a.socket triggers a.service, which runs (and holds the socket's fds) until stopped; then a.socket's unit file
     * moves it to {@code newPort} and the daemon reloads.
     */
    private DaemonProcess reloadWithNewPortWhileServiceRuns(int newPort) throws Exception {
        Path units = daemons.units();
        int oldPort = freeTcpPort();
        Files.writeString(units.resolve("a.socket"), "[Socket]\nListenStream=127.0.0.1:" + oldPort + "\n");
        Files.writeString(units.resolve("a.service"), "[Service]\nExecStart=/bin/sleep infinity\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on a.socket.");
        try (Socket _ = new Socket("127.0.0.1", oldPort)) {
            d.await("a.service: Changed start -> running");
        }
        Files.writeString(units.resolve("a.socket"), "[Socket]\nListenStream=127.0.0.1:" + newPort + "\n");
        assertThat(daemons.ctl("reload").status()).isZero();
        return d;
    }

    private static String read(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout((int) DaemonProcess.DEADLINE_MS);
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
