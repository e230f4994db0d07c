package dev.sockact.daemon;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Signals;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.NobodyHome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.DaemonProcess.echoService;
import static dev.sockact.testing.DaemonProcess.talk;
import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/sockactd as a real process with real units, sockets and services. No timing assertions: every wait is a
 * deadline that only keeps a broken run from hanging.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SockactdIT {
    private static final long DEADLINE_MS = DaemonProcess.DEADLINE_MS;

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text);
    }

    /** --user as an ordinary user (uid 65534): XDG runtime folder, sockets, and instances run as that user. */
    @Test
    void runsAsAnUnprivilegedUserWithUser() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && ProcessHandle.current().info().user().orElse("").equals("root"), "needs root and setpriv");
        try (NobodyHome nobody = NobodyHome.create()) {
            Path units = nobody.units();
            Path runtime = nobody.runtime();
            int port = freeTcpPort();
            Files.writeString(units.resolve("who.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
            Files.writeString(units.resolve("who@.service"), "[Service]\nExecStart=/usr/bin/id -u\nStandardOutput=socket\n");
            DaemonProcess d = daemons.track(nobody.startDaemon());
            d.await("Listening on who.socket.");

            assertThat(Files.exists(runtime.resolve("sockact/control.sock"))).as(d.log()).isTrue();
            try (Socket client = new Socket("127.0.0.1", port)) {
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).as(d::log)
                        .isEqualTo("65534\n");
            }
            assertThat(d.terminate()).as(d.log()).isZero();
        }
    }

    @Test
    void startsOnDemandWithListenFdsAndAgainForTheNextClient() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("echo.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nListenStream="
                + dir.resolve("echo.sock") + "\nFileDescriptorName=web\n");
        write(units.resolve("echo.service"), "[Service]\nExecStart=" + echoService("--clients 1")
                + "\nStandardOutput=journal\n");
        write(units.resolve("broken.socket"), "[Socket]\nBacklog=lots\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on echo.socket.");
        assertThat(d.log()).contains("broken.socket: Failed to load (bad-setting), skipping.");

        String first = talk(port, "one");
        assertThat(first).contains("fds=2 names=web:web").endsWith("|one");
        d.await("echo.service: Deactivated successfully.");
        d.await("echo.socket: Changed running -> listening");
        String second = talk(port, "two");
        assertThat(second).endsWith("|two");
        assertThat(pid(second)).isNotEqualTo(pid(first));
        // As journald names it: the command's file name.
        assertThat(d.log()).containsPattern("java\\[\\d+\\]: echo service \\d+ up with 2 fds");

        assertThat(d.terminate()).isZero();
        assertThat(d.log()).contains("echo.socket: Changed listening -> dead");
    }

    /**
     * Started with SIGHUP and SIGINT ignored (as under nohup, or as a script's background job), sockactd still
     * reloads on SIGHUP and stops on SIGINT: an inherited SIG_IGN would make the JVM skip our handlers silently.
     */
    @Test
    void signalsIgnoredByTheParentStillReloadAndStop() throws Exception {
        int port = freeTcpPort();
        write(daemons.units().resolve("h.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(daemons.units().resolve("h.service"), "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n");
        ProcessBuilder sockactd = DaemonProcess.builder(daemons.units(), daemons.controlSocket());
        List<String> ignoring = new ArrayList<>(List.of("/bin/sh", "-c", "trap '' HUP INT; exec \"$@\"", "sh"));
        ignoring.addAll(sockactd.command());
        sockactd.command(ignoring);
        DaemonProcess d = daemons.track(new DaemonProcess(sockactd.start()));
        d.await("Listening on h.socket.");
        String status = Files.readString(Path.of("/proc", Long.toString(d.process.pid()), "status"));
        long ignored = Long.parseUnsignedLong(status.lines().filter(l -> l.startsWith("SigIgn:")).findFirst()
                .orElseThrow().substring("SigIgn:".length()).strip(), 16);
        assertThat(ignored & 0b11).as("SIGHUP and SIGINT ignored? SigIgn %x", ignored).isZero();

        assertThat(Processes.kill((int) d.process.pid(), Signals.SIGHUP)).isTrue();
        d.await("Reloading.");
        assertThat(Processes.kill((int) d.process.pid(), Signals.SIGINT)).isTrue();
        assertThat(d.process.waitFor(DaemonProcess.DEADLINE_MS, TimeUnit.MILLISECONDS)).as(d.log()).isTrue();
        assertThat(d.process.exitValue()).isZero();
    }

    private static String pid(String header) {
        return header.substring(header.indexOf("pid=") + 4, header.indexOf(' '));
    }

    @Test
    void clientsThatConnectWhileTheServiceStartsAreNotLost() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("echo.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(units.resolve("echo.service"), "[Service]\nExecStart=" + echoService("--clients 1") + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on echo.socket.");
        List<Thread> clients = new ArrayList<>();
        List<String> replies = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 3; i++) {
            String message = "m" + i;
            clients.add(Thread.ofVirtual().start(() -> {
                try {
                    replies.add(talk(port, message));
                } catch (IOException e) {
                    replies.add("error " + e);
                }
            }));
        }
        for (Thread t : clients) {
            t.join(DEADLINE_MS);
        }
        assertThat(replies).hasSize(3).allMatch(r -> r.matches("pid=\\d+ .*\\|m\\d"));
        assertThat(d.terminate()).isZero();
    }

    @Test
    void socketOptionsAreAppliedAndReadBackByTheService() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("opt.socket"), """
                [Socket]
                ListenStream=127.0.0.1:%d
                KeepAlive=yes
                KeepAliveTimeSec=77
                NoDelay=yes
                Mark=7
                Priority=3
                IPTTL=42
                ReusePort=yes
                ReceiveBuffer=65536
                SendBuffer=65536
                KeepAliveIntervalSec=11
                KeepAliveProbes=4
                IPTOS=low-delay
                FreeBind=yes
                Transparent=yes
                BindToDevice=lo
                Broadcast=yes
                PassPacketInfo=yes
                Timestamping=us
                DeferAcceptSec=1
                TCPCongestion=no-such-algorithm
                """.formatted(port));
        write(units.resolve("opt.service"), "[Service]\nExecStart=" + echoService("") + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on opt.socket.");
        assertThat(d.log()).contains("opt.socket: Failed to set TCP_CONGESTION on 127.0.0.1:" + port + ": ENOENT");
        String header = talk(port, "x");
        // The kernel doubles buffer sizes. IPTOS=low-delay is 0x10, and setting IP_TOS resets SO_PRIORITY to the
        // TOS's class (rt_tos2priority: 6, interactive); systemd applies IP_TOS after Priority= too, with the same
        // result. A refused TCPCongestion= leaves the system's default algorithm.
        String congestion = Files.readString(Path.of("/proc/sys/net/ipv4/tcp_congestion_control")).strip();
        assertThat(header).contains("type=1,keepalive=1,nodelay=1,mark=7,priority=6,rcvbuf=131072,ttl=42,reuseport=1,"
                + "keepidle=77,keepintvl=11,keepcnt=4,sndbuf=131072,tos=16,freebind=1,transparent=1,broadcast=1,"
                // SO_PASSCRED/SO_PASSSEC are AF_UNIX/netlink-only on this kernel ("-": not readable on TCP).
                // DeferAcceptSec=1 holds the accept until the client speaks or 1 s passes (the client here waits).
                + "pktinfo=1,timestamp=1,passcred=-,passsec=-,deferaccept=1,device=lo,congestion=" + congestion + "|");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void everyListenKindOpensWithModeOwnerSymlinksAndRemoveOnStop() throws Exception {
        Path units = daemons.units();
        Path sock = dir.resolve("nodes/a/stream.sock");
        Path fifo = dir.resolve("nodes/fifo");
        Path link = dir.resolve("links/l.sock");
        String queue = "/sockact-it-" + ProcessHandle.current().pid();
        write(units.resolve("kinds.socket"), """
                [Socket]
                ListenStream=%s
                ListenDatagram=127.0.0.1:%d
                ListenSequentialPacket=@sockact-it-seq-%d
                ListenDatagram=[::1]:%d
                SocketMode=0600
                DirectoryMode=0751
                SocketUser=nobody
                Symlinks=%s
                RemoveOnStop=yes
                """.formatted(sock, freeTcpPort(), ProcessHandle.current().pid(), freeTcpPort(), link));
        write(units.resolve("kinds.service"), "[Service]\nExecStart=/bin/true\n");
        write(units.resolve("other.socket"), """
                [Socket]
                ListenFIFO=%s
                ListenMessageQueue=%s
                ListenSpecial=/dev/null
                ListenNetlink=route 0
                ListenUSBFunction=/dev/usb-ffs/x
                SocketMode=0640
                RemoveOnStop=yes
                """.formatted(fifo, queue));
        write(units.resolve("other.service"), "[Service]\nExecStart=/bin/true\n");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        DaemonProcess d = daemons.start();
        d.await("Listening on kinds.socket.");
        d.await("ListenUSBFunction= is not supported by sockact (FunctionFS endpoints are not implemented),"
                + " refusing to load the unit.");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock.getParent())))
                .isEqualTo("rwxr-x--x");
        assertThat(Files.getOwner(sock).getName()).isEqualTo("nobody");
        assertThat(Files.readSymbolicLink(link)).isEqualTo(sock);
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertThat(c.connect(UnixDomainSocketAddress.of(sock))).isTrue();
        }
        // The kernel enforces SocketMode=0600 + SocketUser=: nobody (the owner) may connect to it.
        assertThat(connectsAsNobody(sock)).isTrue();
        assertThat(d.terminate()).isZero();
        assertThat(sock).doesNotExist();
        assertThat(link).doesNotExist();
    }

    /** A connect(2) by uid 65534 through setpriv and socat, where both are installed. */
    private static boolean connectsAsNobody(Path socket) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/socat"))
                && ProcessHandle.current().info().user().orElse("").equals("root"), "needs root, setpriv and socat");
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/socat", "-u", "OPEN:/dev/null", "UNIX-CONNECT:" + socket)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(p.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
        return p.exitValue() == 0;
    }

    @Test
    void socketModeRefusesOtherUsers() throws Exception {
        Path units = daemons.units();
        Path sock = dir.resolve("private.sock");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        write(units.resolve("m.socket"), "[Socket]\nListenStream=" + sock + "\nSocketMode=0600\n");
        write(units.resolve("m.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on m.socket.");
        assertThat(connectsAsNobody(sock)).isFalse();
        assertThat(d.terminate()).isZero();
        assertThat(sock).exists();   // no RemoveOnStop=: left for the next bind, as systemd does
    }

    @Test
    void fifoMessageQueueAndNetlinkOpen() throws Exception {
        Path units = daemons.units();
        Path fifo = dir.resolve("nodes/fifo");
        String queue = "/sockact-it-" + ProcessHandle.current().pid();
        write(units.resolve("other.socket"), """
                [Socket]
                ListenFIFO=%s
                ListenMessageQueue=%s
                                ListenNetlink=route 0
                SocketMode=0640
                PipeSize=131072
                RemoveOnStop=yes
                """.formatted(fifo, queue));
        write(units.resolve("other.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on other.socket.");
        assertThat(d.log()).doesNotContain("Failed");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo))).isEqualTo("rw-r-----");
        assertThat(d.terminate()).isZero();
        assertThat(fifo).doesNotExist();
    }

    @Test
    void triggerLimitFailsTheSocket() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("t.socket"), "[Socket]\nListenStream=127.0.0.1:" + port
                + "\nTriggerLimitBurst=3\nTriggerLimitIntervalSec=1min\n");
        // Never accepts: the pending client triggers the socket again each time the service exits.
        write(units.resolve("t.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on t.socket.");
        try (Socket _ = new Socket("127.0.0.1", port)) {
            d.await("t.socket: Trigger limit hit, refusing further activation.");
            d.await("t.socket: Failed with result 'trigger-limit-hit'.");
        }
        assertThat(d.terminate()).isZero();
    }

    @Test
    void crashingServiceIsRestartedAndTheSocketListensAgain() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("c.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(units.resolve("c.service"), "[Service]\nExecStart=" + echoService("--exit 3")
                + "\nRestart=on-failure\nRestartSec=50ms\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on c.socket.");
        assertThat(talk(port, "a")).endsWith("|a");
        d.await("c.service: Main process exited, code=exited, status=3/NOTIMPLEMENTED");
        d.await("c.service: Failed with result 'exit-code'.");
        d.await("c.service: Scheduled restart job, restart counter is at 1.");
        assertThat(talk(port, "b")).endsWith("|b");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void anExitIsLoggedWithSystemdsNameForItsCode() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("x.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(units.resolve("x.service"), "[Service]\nExecStart=" + echoService("--exit 255") + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on x.socket.");
        assertThat(talk(port, "a")).endsWith("|a");
        d.await("x.service: Main process exited, code=exited, status=255/EXCEPTION");
        d.await("x.service: Failed with result 'exit-code'.");
        assertThat(d.terminate()).isZero();
    }

    /** User= (through setpriv; the daemon runs as root) and StandardError=append: for each instance. */
    @Test
    void userAndAppendOutputApplyToEveryInstance() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && ProcessHandle.current().info().user().orElse("").equals("root"), "needs root and setpriv");
        int port = freeTcpPort();
        Path units = daemons.units();
        Path errors = units.resolveSibling("errors.log");
        write(units.resolve("u.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        write(units.resolve("u@.service"), "[Service]\nUser=nobody\nExecStart=/bin/sh -c 'id -u; echo to-stderr >&2'\n"
                + "StandardOutput=socket\nStandardError=append:" + errors + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on u.socket.");
        for (int i = 0; i < 2; i++) {
            try (Socket client = new Socket("127.0.0.1", port)) {
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).as(d::log)
                        .isEqualTo("65534\n");
            }
        }
        d.await("u@1-", 1);
        assertThat(d.terminate()).isZero();
        assertThat(Files.readString(errors)).isEqualTo("to-stderr\nto-stderr\n");
    }

    /** ListenStream=vsock::PORT opens a listening AF_VSOCK socket (this kernel has no vsock loopback to connect). */
    @Test
    void vsockListenerOpens() throws Exception {
        boolean vsock;
        try (var _ = Sockets.socket(SockAddr.AF_VSOCK,
                Sockets.SOCK_STREAM, 0)) {
            vsock = true;
        } catch (ErrnoException e) {
            vsock = false;
        }
        assumeTrue(vsock, "no AF_VSOCK in this kernel");
        int port = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        Path units = daemons.units();
        write(units.resolve("v.socket"), "[Socket]\nListenStream=vsock::" + port + "\n");
        write(units.resolve("v.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on v.socket.");
        // sockactd holds the port: binding it again fails (no /proc table or ss lists vsock here).
        try (var again = Sockets.socket(SockAddr.AF_VSOCK,
                Sockets.SOCK_STREAM, 0)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sockets.bind(again,
                            new SockAddr.Vsock(-1, port)))
                    .hasMessageContaining("EADDRINUSE");
        }
        assertThat(d.terminate()).isZero();
    }

    /**
     * A socket-activated service whose program is missing fails as systemd's does, at the exec step (203/EXEC): the
     * spawn server's child reports the exec's errno, where a LISTEN_PID wrapper would have exited 127. As systemd
     * logs it for Type=simple, it is started first.
     */
    @Test
    void aMissingProgramOfAnActivatedServiceFailsAtTheExecStep() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        Path missing = units.resolve("missing/program");
        write(units.resolve("m.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(units.resolve("m.service"), "[Service]\nExecStart=" + missing + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on m.socket.");
        try (Socket _ = new Socket("127.0.0.1", port)) {
            d.await("m.service: Failed at step EXEC spawning " + missing + ": ENOENT (No such file or directory)");
            d.await("m.service: Main process exited, code=exited, status=203/EXEC");
            d.await("m.service: Failed with result 'exit-code'.");
        }
        String log = d.log();
        assertThat(log).doesNotContain("status=127");
        // A plain service, spawned ahead of its start: running once forked, as systemd's Type=simple is.
        assertThat(log.indexOf("Started m.service.")).isBetween(0, log.indexOf("m.service: Failed at step EXEC"));
        assertThat(d.terminate()).isZero();
    }

    /** The socket's ExecStartPre/Post and ExecStopPre/Post, and the service's ExecStop=, run in their order. */
    @Test
    void execHooksOfTheSocketAndExecStopOfTheServiceRun() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        Path trace = units.resolveSibling("trace.txt");
        String echo = "/bin/sh -c 'echo %s >> " + trace + "'";
        write(units.resolve("h.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n"
                + "ExecStartPre=" + echo.formatted("socket-start-pre") + "\n"
                + "ExecStartPost=" + echo.formatted("socket-start-post") + "\n"
                + "ExecStopPre=" + echo.formatted("socket-stop-pre") + "\n"
                + "ExecStopPost=" + echo.formatted("socket-stop-post") + "\n");
        write(units.resolve("h.service"), "[Service]\nExecStart=" + echoService("--clients 2") + "\n"
                + "ExecStop=" + echo.formatted("service-stop") + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on h.socket.");
        assertThat(Files.readString(trace)).isEqualTo("socket-start-pre\nsocket-start-post\n");
        assertThat(talk(port, "a")).endsWith("|a");   // the service now runs, waiting for a second client
        assertThat(d.terminate()).isZero();
        List<String> lines = Files.readAllLines(trace);
        assertThat(lines).containsExactlyInAnyOrder("socket-start-pre", "socket-start-post", "service-stop",
                "socket-stop-pre", "socket-stop-post");
        assertThat(lines.indexOf("socket-stop-pre")).isLessThan(lines.indexOf("socket-stop-post"));
    }

    /** RestartPreventExitStatus=: the same crash, but listed, is not restarted; the socket still activates it. */
    @Test
    void restartPreventExitStatusStopsTheRestart() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("x.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(units.resolve("x.service"), "[Service]\nExecStart=" + echoService("--exit 3")
                + "\nRestart=on-failure\nRestartSec=50ms\nRestartPreventExitStatus=NOTIMPLEMENTED\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on x.socket.");
        assertThat(talk(port, "a")).endsWith("|a");
        d.await("x.service: Failed with result 'exit-code'.");
        assertThat(talk(port, "b")).endsWith("|b");   // the socket still activates it on demand
        assertThat(d.terminate()).isZero();
        // Read once the daemon has exited, so the whole log is in.
        assertThat(d.log()).doesNotContain("x.service: Scheduled restart job");
    }

    @Test
    void notifyServiceIsStartedOnReadyAndExecStartPreFailureFailsTheService() throws Exception {
        int port = freeTcpPort();
        int port2 = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("n.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(units.resolve("n.service"), "[Unit]\nDescription=Notify echo\n[Service]\nType=notify\nExecStart="
                + echoService("--notify") + "\n");
        write(units.resolve("p.socket"), "[Socket]\nListenStream=127.0.0.1:" + port2 + "\n");
        write(units.resolve("p.service"), "[Service]\nExecStartPre=/bin/false\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on n.socket.");
        d.await("Listening on p.socket.");
        assertThat(talk(port, "n")).endsWith("|n");
        d.await("Started Notify echo.");
        d.await("n.service: Changed start -> running");   // logged just after "Started": awaited, not read at once

        try (Socket _ = new Socket("127.0.0.1", port2)) {
            d.await("p.service: Control process exited, code=exited, status=1/FAILURE");
            d.await("p.service: Failed with result 'exit-code'.");
        }
        assertThat(d.terminate()).isZero();
    }

    @Test
    void aSecondInstanceRefusesToStart() throws Exception {
        Path units = daemons.units();
        write(units.resolve("e.socket"), "[Socket]\nListenStream=127.0.0.1:" + freeTcpPort() + "\n");
        write(units.resolve("e.service"), "[Service]\nExecStart=/bin/true\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on e.socket.");
        DaemonProcess second = daemons.start();
        assertThat(second.process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
        assertThat(second.process.exitValue()).isEqualTo(1);
        second.await("Another sockactd is already running on control socket");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void stopTimesOutIntoSigkill() throws Exception {
        int port = freeTcpPort();
        Path units = daemons.units();
        write(units.resolve("h.socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        write(units.resolve("h.service"), "[Service]\nExecStart=/bin/sh -c 'trap \"\" TERM; echo up; while :; do sleep 1; done'"
                + "\nTimeoutStopSec=1\nStandardOutput=journal\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on h.socket.");
        try (Socket _ = new Socket("127.0.0.1", port)) {
            d.await("]: up");
            d.process.toHandle().destroy();
            d.await("h.service: State 'stop-sigterm' timed out. Killing.");
            assertThat(d.process.waitFor(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(d.process.exitValue()).isZero();
        }
    }

    @Test
    void systemdSocketProxydAndOurSocketProxydAsActivatedServices() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (!backend.isClosed()) {
                    try {
                        Socket c = backend.accept();
                        Thread.ofVirtual().start(() -> {
                            try (c) {
                                c.getOutputStream().write("backend\n".getBytes(StandardCharsets.UTF_8));
                                c.getInputStream().transferTo(c.getOutputStream());
                            } catch (IOException ignored) {
                                // client gone
                            }
                        });
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            Path units = daemons.units();
            List<Integer> ports = new ArrayList<>();
            List<String> proxies = new ArrayList<>();
            if (Files.isExecutable(Path.of("/lib/systemd/systemd-socket-proxyd"))) {
                proxies.add("/lib/systemd/systemd-socket-proxyd");
            }
            proxies.add(Path.of("bin/socket-proxyd").toAbsolutePath().toString());
            for (int i = 0; i < proxies.size(); i++) {
                int port = freeTcpPort();
                ports.add(port);
                write(units.resolve("proxy" + i + ".socket"), "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
                write(units.resolve("proxy" + i + ".service"), "[Service]\nExecStart=" + proxies.get(i)
                        + " 127.0.0.1:" + backend.getLocalPort() + "\n");
            }
            DaemonProcess d = daemons.start();
            for (int i = 0; i < proxies.size(); i++) {
                d.await("Listening on proxy" + i + ".socket.");
                assertThat(talk(ports.get(i), "through " + i)).as(proxies.get(i)).isEqualTo("backend|through " + i);
            }
            assertThat(d.terminate()).isZero();
            assumeTrue(proxies.size() == 2, "/lib/systemd/systemd-socket-proxyd not installed: only ours ran");
        }
    }
}
