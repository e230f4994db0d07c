package dev.sockact.daemon;

import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.testing.Await;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * What systemd added after 252 on the socket side, with real services reading their own environment and fds. The
 * installed systemd (252) is older than all of it, so each test follows the documented behaviour of the version that
 * introduced it: systemd 257 for FileDescriptorName= with Accept=yes and $REMOTE_ADDR of AF_UNIX peers, 256 for
 * PassFileDescriptorsToExec=.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SocketAfter252IT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Connects from a client socket bound to {@code from} (null: unbound) and returns the instance's one line. */
    private static String talk(Path socket, Path from) throws IOException {
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            if (from != null) {
                client.bind(UnixDomainSocketAddress.of(from));
            }
            client.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer in = ByteBuffer.allocate(4096);
            while (client.read(in) >= 0 && !new String(in.array(), 0, in.position(), StandardCharsets.UTF_8)
                    .contains("\n")) {
                // until the line is complete (each read blocks; the instance closes after one line)
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
        }
    }

    @Test
    void anAcceptInstanceGetsFileDescriptorNameAndItsUnixPeersPath() throws Exception {
        Path socket = dir.resolve("named.sock");
        Path peer = dir.resolve("client.sock");
        Files.writeString(daemons.units().resolve("named.socket"),
                "[Socket]\nListenStream=" + socket + "\nAccept=yes\nFileDescriptorName=greeter\n");
        Files.writeString(daemons.units().resolve("named@.service"), "[Service]\n"
                + "ExecStart=/bin/sh -c 'printf \"%%s %%s %%s\\\\n\" \"$LISTEN_FDNAMES\" \"${REMOTE_ADDR:--}\""
                + " \"${REMOTE_PORT:--}\" >&3'\n");
        Path plainSocket = dir.resolve("plain.sock");
        Files.writeString(daemons.units().resolve("plain.socket"),
                "[Socket]\nListenStream=" + plainSocket + "\nAccept=yes\n");
        Files.writeString(daemons.units().resolve("plain@.service"), "[Service]\n"
                + "ExecStart=/bin/sh -c 'printf \"%%s %%s\\\\n\" \"$LISTEN_FDNAMES\" \"${REMOTE_ADDR:--}\" >&3'\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on named.socket.");
        d.await("Listening on plain.socket.");

        // systemd 257: the name given, and the client's own path (no port for AF_UNIX).
        assertThat(talk(socket, peer)).isEqualTo("greeter " + peer + " -");
        // An unbound client has no address: no REMOTE_ADDR. No FileDescriptorName=: "connection", as always.
        assertThat(talk(plainSocket, null)).isEqualTo("connection -");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void passFileDescriptorsToExecGivesTheSocketsCommandsItsListeningFds() throws Exception {
        Path socket = dir.resolve("exec.sock");
        Path record = dir.resolve("record.txt");
        // Each command records its name, LISTEN_FDS, LISTEN_FDNAMES, whether LISTEN_PID is its own pid, and which
        // socket its fd 3 is (the kernel's socket:[inode]).
        String report = "/bin/sh -c 'printf \"%%s %%s %%s %%s %%s\\\\n\" \"$0\" \"${LISTEN_FDS:--}\""
                + " \"${LISTEN_FDNAMES:--}\" \"$([ \"$LISTEN_PID\" = \"$$\" ] && echo own || echo other)\""
                + " \"$(readlink /proc/self/fd/3 || echo none)\" >> " + record + "' ";
        Files.writeString(daemons.units().resolve("exec.socket"), "[Socket]\nListenStream=" + socket + "\n"
                + "PassFileDescriptorsToExec=yes\nFileDescriptorName=ctl\n"
                + "ExecStartPre=" + report + "start-pre\n"
                + "ExecStartPost=" + report + "start-post\n"
                + "ExecStopPre=" + report + "stop-pre\n"
                + "ExecStopPost=" + report + "stop-post\n");
        Files.writeString(daemons.units().resolve("exec.service"), "[Service]\nExecStart=" + report + "service\n");
        Path without = dir.resolve("without.sock");
        Files.writeString(daemons.units().resolve("without.socket"), "[Socket]\nListenStream=" + without + "\n"
                + "ExecStartPost=" + report + "without-start-post\n");
        Files.writeString(daemons.units().resolve("without.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on exec.socket.");
        d.await("Listening on without.socket.");
        assertThat(daemons.ctl("stop", "exec.socket").status()).isZero();
        Await.until("stop-post in " + record, () -> read(record).contains("stop-post"));

        String[] lines = read(record).split("\n");
        assertThat(lines).hasSize(5);
        String listening = Arrays.stream(lines).filter(l -> l.startsWith("start-post ")).findFirst()
                .orElseThrow().split(" ")[4];
        assertThat(listening).startsWith("socket:[");
        // ExecStartPre= runs before the fds exist; ExecStopPost= is spawned as stop-post begins, before they close.
        assertThat(lines).containsExactlyInAnyOrder(
                "start-pre - - other none",
                "start-post 1 ctl own " + listening,
                "without-start-post - - other none",
                "stop-pre 1 ctl own " + listening,
                "stop-post 1 ctl own " + listening);
        assertThat(d.terminate()).isZero();
    }

    /**
     * A service's report of its own pidfd ID: its pid, LISTEN_PID, LISTEN_PIDFDID and the inode of a pidfd it opens
     * for itself, sent on its connection (accepted from fd 3 where that is a listener). It then waits for the client to
     * close, so that the client can open a pidfd for it too.
     */
    private static final String PIDFD_ID_REPORT = """
            import os, socket
            conn = socket.socket(fileno=3)
            if conn.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                conn, _ = conn.accept()
            own = os.fstat(os.pidfd_open(os.getpid())).st_ino
            env = os.environ
            conn.sendall(f"{os.getpid()} {env.get('LISTEN_PID')} {env.get('LISTEN_PIDFDID')} {own}\\n".encode())
            conn.recv(1)
            """;

    /** Connects, reads the report and, while the service still runs, opens a pidfd for its pid; the four must agree. */
    private static void assertPidfdIdIsTheServicesOwn(Path socket) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer in = ByteBuffer.allocate(512);
            while (!new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).contains("\n")) {
                assertThat(client.read(in)).as("the report from " + socket).isPositive();
            }
            String[] report = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip().split(" ");
            OptionalLong ours = Pidfd.inodeId(Integer.parseInt(report[0]));
            assertThat(ours).isPresent();
            String id = Long.toUnsignedString(ours.getAsLong());
            assertThat(report).containsExactly(report[0], report[0], id, id);
        }
    }

    /**
     * systemd 259's LISTEN_PIDFDID (the installed 252 has none, so this follows 259's documentation): with Accept=no
     * and Accept=yes the service gets the inode of a pidfd for its own pid, as it sees it and as we see it.
     */
    @Test
    void listenPidfdIdIsTheInodeOfAPidfdForTheService() throws Exception {
        assumeThat(Pidfd.inodeId((int) ProcessHandle.current().pid())).as("pidfs (Linux 6.9)").isPresent();
        assumeThat(Path.of("/usr/bin/python3")).as("python3").isExecutable();
        Path script = dir.resolve("pidfd-id.py");
        Files.writeString(script, PIDFD_ID_REPORT);
        Path single = dir.resolve("single.sock");
        Files.writeString(daemons.units().resolve("single.socket"), "[Socket]\nListenStream=" + single + "\n");
        Files.writeString(daemons.units().resolve("single.service"),
                "[Service]\nExecStart=/usr/bin/python3 " + script + "\n");
        Path each = dir.resolve("each.sock");
        Files.writeString(daemons.units().resolve("each.socket"),
                "[Socket]\nListenStream=" + each + "\nAccept=yes\n");
        Files.writeString(daemons.units().resolve("each@.service"),
                "[Service]\nExecStart=/usr/bin/python3 " + script + "\n");
        // Our own consumer side, a JVM running ListenFds, accepts the fds with the pidfd ID set.
        Path probeSocket = dir.resolve("probe.sock");
        Path probeOutput = dir.resolve("probe.txt");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(daemons.units().resolve("probe.socket"), "[Socket]\nListenStream=" + probeSocket + "\n");
        Files.writeString(daemons.units().resolve("probe.service"), "[Service]\nExecStart=" + java
                + " --enable-native-access=ALL-UNNAMED -cp " + System.getProperty("java.class.path")
                + " dev.sockact.activation.ListenFdsProbe\nStandardOutput=file:" + probeOutput + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on single.socket.");
        d.await("Listening on each.socket.");
        d.await("Listening on probe.socket.");

        assertPidfdIdIsTheServicesOwn(single);
        assertPidfdIdIsTheServicesOwn(each);
        assertPidfdIdIsTheServicesOwn(each);
        try (SocketChannel _ = SocketChannel.open(UnixDomainSocketAddress.of(probeSocket))) {
            Await.until("the probe's report in " + probeOutput, () -> read(probeOutput).contains("count="));
        }
        Await.until("the probe's fd line", () -> read(probeOutput).contains("fd=3"));
        assertThat(read(probeOutput)).startsWith("count=1\nfd=3 name=probe.socket type=1 ");
        assertThat(d.terminate()).isZero();
    }

    /** systemd 253's OpenFile=: the files follow the sockets, named in LISTEN_FDNAMES, opened with their options. */
    @Test
    void openFilesArePassedAfterTheSocketsWithTheirNamesAndModes() throws Exception {
        Path socket = dir.resolve("files.sock");
        Path record = dir.resolve("files.txt");
        Path data = dir.resolve("data.txt");
        Path log = dir.resolve("log.txt");
        Path scratch = dir.resolve("scratch.txt");
        Files.writeString(data, "the data\n");
        Files.writeString(log, "old line\n");
        Files.writeString(scratch, "to be truncated\n");
        Files.writeString(daemons.units().resolve("files.socket"), "[Socket]\nListenStream=" + socket + "\n");
        // Records LISTEN_FDS, LISTEN_FDNAMES, what fd 4 reads, and the open flags of fds 4-6 (octal, fdinfo).
        Files.writeString(dir.resolve("files.sh"), """
                { echo "$LISTEN_FDS $LISTEN_FDNAMES"; cat <&4
                  for fd in 4 5 6; do grep '^flags:' /proc/self/fdinfo/$fd; done; } > "$1"
                echo appended >&5
                echo done >> "$1"
                """);
        Files.writeString(daemons.units().resolve("files.service"), "[Service]\nExecStart=/bin/sh "
                + dir.resolve("files.sh") + " " + record + "\n"
                + "OpenFile=" + data + ":data:read-only\n"
                + "OpenFile=" + log + "::append\n"
                + "OpenFile=" + scratch + ":scratch:truncate\n"
                + "OpenFile=" + dir.resolve("missing.txt") + ":missing:graceful\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on files.socket.");
        // Started by hand, not by a connection, so that it runs once: it gets its socket's fd all the same.
        assertThat(daemons.ctl("start", "files.service").status()).isZero();
        Await.until("files.service in " + record, () -> read(record).endsWith("done\n"));

        String[] lines = read(record).split("\n");
        assertThat(lines[0]).isEqualTo("4 files.socket:data:log.txt:scratch");
        assertThat(lines[1]).isEqualTo("the data");
        // O_RDONLY; O_RDWR|O_APPEND (02002); O_RDWR (O_TRUNC is not kept in the flags); all O_CLOEXEC cleared.
        assertThat(Integer.parseInt(lines[2].substring(6).strip(), 8) & 03).isEqualTo(0);
        assertThat(Integer.parseInt(lines[3].substring(6).strip(), 8) & 02003).isEqualTo(02002);
        assertThat(Integer.parseInt(lines[4].substring(6).strip(), 8) & 03).isEqualTo(2);
        assertThat(Files.readString(log)).isEqualTo("old line\nappended\n");
        assertThat(Files.readString(scratch)).isEmpty();
        assertThat(d.terminate()).isZero();
    }

    /**
     * systemd 253's OpenFile= to an AF_UNIX socket: sockactd connects to it (SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET
     * in turn, as connect_unix_harder() does) and passes the connected socket, named in LISTEN_FDNAMES. The service
     * writes through the stream and the datagram socket, and our listeners receive it; read-only shuts the sending
     * side, so that listener reads EOF while the service still reads what it sends. A socket nobody listens on is
     * left out with graceful.
     */
    @Test
    void anOpenFileThatIsAUnixSocketIsConnectedTo() throws Exception {
        Path socket = dir.resolve("peers.sock");
        Path record = dir.resolve("peers.txt");
        Path stream = dir.resolve("stream.sock");
        Path readOnly = dir.resolve("read-only.sock");
        Path datagram = dir.resolve("datagram.sock");
        Path nobody = dir.resolve("nobody.sock");
        Files.writeString(daemons.units().resolve("peers.socket"), "[Socket]\nListenStream=" + socket + "\n");
        Files.writeString(dir.resolve("peers.sh"), """
                { echo "$LISTEN_FDS $LISTEN_FDNAMES"
                  for fd in 4 5 6; do readlink /proc/self/fd/$fd | cut -d: -f1; done; } > "$1"
                echo "through the stream" >&4
                printf 'through the datagram' >&6
                read -r line <&5
                echo "$line" >> "$1"
                echo done >> "$1"
                """);
        Files.writeString(daemons.units().resolve("peers.service"), "[Service]\nExecStart=/bin/sh "
                + dir.resolve("peers.sh") + " " + record + "\n"
                + "OpenFile=" + stream + ":stream\n"
                + "OpenFile=" + readOnly + ":ro:read-only\n"
                + "OpenFile=" + datagram + "\n"
                + "OpenFile=" + nobody + ":nobody:graceful\n");
        try (ServerSocketChannel streamListener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             ServerSocketChannel readOnlyListener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Fd datagramSocket = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_DGRAM | Sockets.SOCK_NONBLOCK, 0);
             Fd unlistened = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_STREAM, 0);
             Arena arena = Arena.ofConfined()) {
            streamListener.bind(UnixDomainSocketAddress.of(stream));
            readOnlyListener.bind(UnixDomainSocketAddress.of(readOnly));
            Sockets.bind(datagramSocket, new SockAddr.UnixPath(datagram.toString()));
            Sockets.bind(unlistened, new SockAddr.UnixPath(nobody.toString()));   // bound, not listening: refused
            DaemonProcess d = daemons.start();
            d.await("Listening on peers.socket.");
            assertThat(daemons.ctl("start", "peers.service").status()).isZero();

            try (SocketChannel fromService = streamListener.accept();
                 SocketChannel readOnlyPeer = readOnlyListener.accept()) {
                ByteBuffer line = ByteBuffer.allocate(64);
                while (!new String(line.array(), 0, line.position(), StandardCharsets.UTF_8).endsWith("\n")) {
                    assertThat(fromService.read(line)).isPositive();
                }
                assertThat(new String(line.array(), 0, line.position(), StandardCharsets.UTF_8))
                        .isEqualTo("through the stream\n");
                assertThat(readOnlyPeer.read(ByteBuffer.allocate(16))).as("the service's side is shut").isEqualTo(-1);
                readOnlyPeer.write(ByteBuffer.wrap("to the service\n".getBytes(StandardCharsets.UTF_8)));
                MemorySegment buffer = arena.allocate(64);
                long n = Await.until("a datagram on " + datagram, Await.DEFAULT,
                        () -> Io.readRaw(datagramSocket.fd(), buffer, buffer.byteSize()), r -> r > 0);
                assertThat(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                        .isEqualTo("through the datagram");
                Await.until("peers.service in " + record, () -> read(record).endsWith("done\n"));
            }
            // A warning, as systemd logs it for anything but a missing or forbidden file.
            d.await("peers.service: Failed to open OpenFile= file '" + nobody
                    + "', ignoring: ECONNREFUSED (Connection refused)");
            assertThat(read(record).split("\n")).containsExactly(
                    "4 peers.socket:stream:ro:datagram.sock", "socket", "socket", "socket", "to the service", "done");
            assertThat(d.terminate()).isZero();
        }
    }

    @Test
    void aMissingOpenFileFailsTheStartAsSystemdsChildWould() throws Exception {
        Path socket = dir.resolve("gone.sock");
        Path missing = dir.resolve("missing.txt");
        Files.writeString(daemons.units().resolve("gone.socket"), "[Socket]\nListenStream=" + socket + "\n");
        Files.writeString(daemons.units().resolve("gone.service"), "[Service]\nExecStart=/bin/true\n"
                + "OpenFile=" + missing + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on gone.socket.");
        try (SocketChannel _ = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            d.await("gone.service: Failed to open OpenFile= file '" + missing + "': ENOENT (No such file or directory)");
            d.await("gone.service: Main process exited, code=exited, status=202/FDS");
        }
        assertThat(d.terminate()).isZero();
    }
}
