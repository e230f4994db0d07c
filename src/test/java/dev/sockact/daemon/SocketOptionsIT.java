package dev.sockact.daemon;

import dev.sockact.posix.ErrnoException;
import dev.sockact.posix.Fd;
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
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The [Socket] options that shape non-TCP fds (PassCredentials=, PassSecurity=, PipeSize=, Writable=), the
 * protocol and address family ones (SocketProtocol=, BindIPv6Only=), Backlog= (read back with ss), a ListenSpecial=
 * the event loop cannot watch, and the StandardOutput= file modes, each on real fds of a running bin/sockactd.
 * The service is {@link FdReport}: it describes the fds it was given, read back from the fds themselves.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SocketOptionsIT {
    /**
     * Readable as soon as the kernel's random pool is initialised, and a character device: activates the socket at
     * once, so no client is needed (/dev/urandom has no poll on current kernels, so epoll refuses it).
     */
    private static final String TRIGGER = "ListenSpecial=/dev/random\n";

    /** Whether this kernel knows SO_PASSPIDFD (6.5) and SO_PASSRIGHTS (6.16), asked of an AF_UNIX socket. */
    private static final boolean PASS_PIDFD = kernelKnows(Sockets.SO_PASSPIDFD);
    private static final boolean PASS_RIGHTS = kernelKnows(Sockets.SO_PASSRIGHTS);

    @TempDir
    Path dir;

    private static boolean kernelKnows(int option) {
        try (Fd fd = Sockets.socket(SockAddr.AF_UNIX, Sockets.SOCK_STREAM, 0)) {
            Sockets.getIntOption(fd.fd(), Sockets.SOL_SOCKET, option);
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    /** A unit NAME.socket with {@code socket} as its [Socket] body and NAME.service running FdReport into NAME.txt. */
    private void unit(Path units, String name, String socket) throws IOException {
        Files.writeString(units.resolve(name + ".socket"), "[Socket]\n" + socket);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of("target/classes").toAbsolutePath() + ":" + Path.of("target/test-classes").toAbsolutePath();
        Files.writeString(units.resolve(name + ".service"), "[Service]\nExecStart=" + java
                + " --enable-native-access=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp " + cp
                + " dev.sockact.daemon.FdReport\nStandardOutput=file:" + dir.resolve(name + ".txt") + "\n");
    }

    /** The lines FdReport wrote for NAME.service, once it has written them all. */
    private List<String> report(DaemonProcess d, String name) {
        Path file = dir.resolve(name + ".txt");
        Await.until(name + " report in " + file + "\n" + d.log(), () -> read(file).endsWith("end\n"));
        List<String> lines = new ArrayList<>(read(file).lines().toList());
        lines.removeLast();
        return lines;
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void passCredentialsPassSecurityPipeSizeAndWritableReachTheFds() throws Exception {
        Path units = daemons.units();
        String listens = TRIGGER + "ListenStream=%s\nListenFIFO=%s\n";
        unit(units, "on", listens.formatted(dir.resolve("on.sock"), dir.resolve("on.fifo"))
                + "PassCredentials=yes\nPassSecurity=yes\nPipeSize=131072\nWritable=yes\n"
                + "PassPIDFD=yes\nAcceptFileDescriptors=no\n");
        unit(units, "off", listens.formatted(dir.resolve("off.sock"), dir.resolve("off.fifo")));
        DaemonProcess d = daemons.start();

        // O_RDWR with Writable=yes, O_RDONLY without; the FIFO is always O_RDWR (it must never see EOF).
        assertThat(report(d, "on")).as(d::log).containsExactly(
                "on.socket kind=file access=rw path=/dev/random",
                "on.socket kind=socket access=rw domain=1 type=1 protocol=0 passcred=1 passsec=1 passpidfd="
                        + (PASS_PIDFD ? "1" : "-") + " passrights=" + (PASS_RIGHTS ? "0" : "-"),
                "on.socket kind=fifo access=rw pipesize=131072");
        assertThat(report(d, "off")).as(d::log).containsExactly(
                "off.socket kind=file access=ro path=/dev/random",
                "off.socket kind=socket access=rw domain=1 type=1 protocol=0 passcred=0 passsec=0 passpidfd="
                        + (PASS_PIDFD ? "0" : "-") + " passrights=" + (PASS_RIGHTS ? "1" : "-"),
                "off.socket kind=fifo access=rw pipesize=65536");
        // PassPIDFD= and AcceptFileDescriptors= (systemd 258) need Linux 6.5 and 6.16; without, the log says so.
        if (PASS_PIDFD) {
            assertThat(d.log()).doesNotContain("Failed to set SO_PASSPIDFD");
        } else {
            assertThat(d.log()).contains("on.socket: Failed to set SO_PASSPIDFD on " + dir.resolve("on.sock") + ": ");
        }
        if (PASS_RIGHTS) {
            assertThat(d.log()).doesNotContain("Failed to set SO_PASSRIGHTS");
        } else {
            assertThat(d.log()).contains("on.socket: Failed to set SO_PASSRIGHTS on " + dir.resolve("on.sock") + ": ");
        }
        assertThat(d.log()).doesNotContain("Failed to set SO_PASSCRED").doesNotContain("Failed to set SO_PASSSEC");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void backlogIsTheListenQueueLengthThatSsShows() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ss")) || Files.isExecutable(Path.of("/bin/ss")), "needs ss");
        int small = freeTcpPort();
        int plain = freeTcpPort();
        Path units = daemons.units();
        unit(units, "small", "ListenStream=127.0.0.1:" + small + "\nListenStream=" + dir.resolve("small.sock")
                + "\nBacklog=17\n");
        unit(units, "plain", "ListenStream=127.0.0.1:" + plain + "\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on small.socket.");
        d.await("Listening on plain.socket.");

        // For a listening socket ss shows the backlog as Send-Q; the default (SOMAXCONN_DELUXE) is capped by the
        // kernel at net.core.somaxconn.
        String somaxconn = sysctl(Path.of("/proc/sys/net/core/somaxconn"));
        assertThat(listenQueue("-Hltn", "sport", "=", ":" + small)).isEqualTo("17");
        assertThat(listenQueue("-Hlxn", "src", dir.resolve("small.sock").toString())).isEqualTo("17");
        assertThat(listenQueue("-Hltn", "sport", "=", ":" + plain)).isEqualTo(somaxconn);
        assertThat(d.terminate()).isZero();
    }

    /** An integer sysctl: in one read, as the kernel answers a read at a non-zero offset with EOF. */
    private static String sysctl(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            return new String(buffer, 0, Math.max(n, 0), StandardCharsets.US_ASCII).strip();
        }
    }

    /** Send-Q of the one listening socket that {@code ss ARGS} lists. */
    private static String listenQueue(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ss"));
        command.addAll(List.of(args));
        Process ss = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ss.waitFor(60, TimeUnit.SECONDS)).isTrue();
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).as(String.join(" ", command) + ":\n" + out).hasSize(1);
        String[] columns = lines.getFirst().trim().split("\\s+");
        // -t: State Recv-Q Send-Q ...; -x adds Netid in front.
        return columns[0].equals("LISTEN") ? columns[2] : columns[3];
    }

    @Test
    void bindIPv6OnlyDecidesWhetherIPv4ClientsReachAnIPv6Socket() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/net/if_inet6")), "needs IPv6");
        int only = freeTcpPort();
        int both = freeTcpPort();
        Path units = daemons.units();
        unit(units, "only", "ListenStream=[::]:" + only + "\nBindIPv6Only=ipv6-only\n");
        unit(units, "both", "ListenStream=[::]:" + both + "\nBindIPv6Only=both\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on only.socket.");
        d.await("Listening on both.socket.");

        assertThatThrownBy(() -> connect("127.0.0.1", only)).isInstanceOf(ConnectException.class);
        connect("::1", only);
        assertThat(report(d, "only")).as(d::log)
                .containsExactly("only.socket kind=socket access=rw domain=10 type=1 protocol=6 v6only=1");
        connect("127.0.0.1", both);
        assertThat(report(d, "both")).as(d::log)
                .containsExactly("both.socket kind=socket access=rw domain=10 type=1 protocol=6 v6only=0");
        assertThat(d.terminate()).isZero();
    }

    /** Connects (the kernel completes it into the backlog; the service never accepts) and closes. */
    private static void connect(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 10_000);
        }
    }

    @Test
    void socketProtocolUdpliteOpensAUdpliteSocketAndMptcpIsIgnoredAsInSystemd252() throws Exception {
        assumeTrue(kernelHas(SockAddr.AF_INET, Sockets.SOCK_DGRAM, 136), "needs UDP-Lite in the kernel");
        Path units = daemons.units();
        unit(units, "lite", TRIGGER + "ListenDatagram=127.0.0.1:" + freeTcpPort() + "\nSocketProtocol=udplite\n");
        unit(units, "mp", TRIGGER + "ListenStream=127.0.0.1:" + freeTcpPort() + "\nSocketProtocol=mptcp\n");
        DaemonProcess d = daemons.start();

        assertThat(report(d, "lite")).as(d::log).containsExactly("lite.socket kind=file access=ro path=/dev/random",
                "lite.socket kind=socket access=rw domain=2 type=2 protocol=136");
        // systemd 252 knows only udplite and sctp: anything else is a warning at load and the default protocol.
        assertThat(report(d, "mp")).as(d::log).containsExactly("mp.socket kind=file access=ro path=/dev/random",
                "mp.socket kind=socket access=rw domain=2 type=1 protocol=6");
        assertThat(d.log()).contains("mp.socket:4: Failed to parse socket protocol, ignoring: mptcp");
        assertThat(d.terminate()).isZero();
    }

    @Test
    void socketProtocolSctpOpensAnSctpSocket() throws Exception {
        assumeTrue(kernelHas(SockAddr.AF_INET, Sockets.SOCK_STREAM, 132), "needs SCTP in the kernel");
        Path units = daemons.units();
        unit(units, "sctp", TRIGGER + "ListenStream=127.0.0.1:" + freeTcpPort() + "\nSocketProtocol=sctp\nNoDelay=yes\n");
        DaemonProcess d = daemons.start();
        assertThat(report(d, "sctp")).as(d::log).containsExactly("sctp.socket kind=file access=ro path=/dev/random",
                "sctp.socket kind=socket access=rw domain=2 type=1 protocol=132");
        assertThat(d.log()).doesNotContain("Failed to set");
        assertThat(d.terminate()).isZero();
    }

    /**
     * epoll refuses a regular file (EPERM). systemd 252's socket_enter_listening() then fails the socket with
     * result 'resources' without ever listening; the other units are not affected.
     */
    @Test
    void listenSpecialOnARegularFileFailsTheSocketAsInSystemd() throws Exception {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "data\n");
        Path units = daemons.units();
        unit(units, "regular", "ListenSpecial=" + file + "\n");
        unit(units, "good", TRIGGER);
        DaemonProcess d = daemons.start();
        d.await("regular.socket: Failed with result 'resources'.");
        assertThat(report(d, "good")).as(d::log).containsExactly("good.socket kind=file access=ro path=/dev/random");
        assertThat(d.log()).contains(
                        "regular.socket: Failed to watch listening fds: EPERM (Operation not permitted)",
                        "regular.socket: Failed to watch sockets: EPERM (Operation not permitted)",
                        "regular.socket: Changed dead -> failed")
                .doesNotContain("Listening on regular.socket.", "regular.socket: Changed dead -> listening");
        assertThat(Files.exists(dir.resolve("regular.txt"))).isFalse();
        assertThat(d.terminate()).isZero();
    }

    private static boolean kernelHas(int family, int type, int protocol) {
        try (var _ = Sockets.socket(family, type, protocol)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
