package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockact.proxy.ProxyProcess.Activator;
import dev.sockact.proxy.ProxyProcess.Proxyd;
import dev.sockact.proxy.TestBackends.Backend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code socket-proxyd NAME=TARGET...}: each passed socket goes to the target of its FileDescriptorName=
 * ({@code --fdname} of systemd's socket-activate and ours), names without a socket and sockets without a name are
 * refused at start; and a vsock:CID:PORT target where the kernel can connect to a local vsock.
 */
class ProxyNamedTargetsIT extends ProxyTestBase {
    @ParameterizedTest(name = "under {0}")
    @EnumSource(Activator.class)
    void eachSocketGoesToItsOwnTarget(Activator activator) {
        Backend a = keep(answering("from a"));
        Backend b = keep(answering("from b"));
        int portA = ProxyProcess.freePort();
        int portB = ProxyProcess.freePort();
        keep(ProxyProcess.activated(dir, activator, List.of("-l", "127.0.0.1:" + portA, "-l", "127.0.0.1:" + portB,
                "--fdname=web:admin"), Proxyd.SOCKACT, List.of("admin=" + b.target(), "web=" + a.target())));
        assertThat(answer(portA)).isEqualTo("from a");
        assertThat(answer(portB)).isEqualTo("from b");
        assertThat(answer(portA)).isEqualTo("from a");
    }

    @Test
    void aNameNoSocketHasIsRefusedNamingIt() {
        Backend a = keep(answering("a"));
        ProxyProcess p = keep(ProxyProcess.activated(dir, Activator.SYSTEMD, List.of("-l", "127.0.0.1:" + ProxyProcess.freePort(),
                "--fdname=web"), Proxyd.SOCKACT, List.of("web=" + a.target(), "api=" + a.target())));
        connectOnce(p);
        p.assertExitStatus(1);
        assertThat(p.log()).contains("No socket named api was passed in (the sockets are named web).");
    }

    @Test
    void aSocketWithoutATargetIsRefusedNamingIt() {
        Backend a = keep(answering("a"));
        ProxyProcess p = keep(ProxyProcess.activated(dir, Activator.SYSTEMD, List.of("-l", "127.0.0.1:" + ProxyProcess.freePort(),
                "-l", "127.0.0.1:" + ProxyProcess.freePort(), "--fdname=web:admin"), Proxyd.SOCKACT, List.of("web=" + a.target())));
        connectOnce(p);
        p.assertExitStatus(1);
        assertThat(p.log()).contains("No target for socket admin (fd 4): give NAME=TARGET for it.");
    }

    @Test
    void aPlainTargetAmongNamedOnesIsRefused() {
        ProxyProcess p = keep(ProxyProcess.run(dir, java.util.Map.of(),
                List.of(ProxyProcess.OUR_PROXYD, "web=127.0.0.1:1", "127.0.0.1:2")));
        p.assertExitStatus(1);
        assertThat(p.log()).contains("With several targets each must be NAME=TARGET, NAME being the socket's "
                + "FileDescriptorName=: 127.0.0.1:2");
    }

    @Test
    void listenSocketsHaveNoNameToMatch() {
        ProxyProcess p = keep(ProxyProcess.run(dir, java.util.Map.of(),
                List.of(ProxyProcess.OUR_PROXYD, "--listen=127.0.0.1:" + ProxyProcess.freePort(), "web=127.0.0.1:1")));
        p.assertExitStatus(1);
        assertThat(p.log()).contains("--listen= and --listen-datagram= sockets have no name");
    }

    /** Through a vsock target to socat's VSOCK-LISTEN on the local CID (1), where the kernel has vsock loopback. */
    @Test
    void vsockTarget() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/vsock")), "no /dev/vsock");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "socat is not installed");
        int vport = 20000 + (int) (ProcessHandle.current().pid() % 20000);
        keep(ProxyProcess.start(dir, List.of("socat", "VSOCK-LISTEN:" + vport + ",reuseaddr,fork", "SYSTEM:echo from vsock")));
        // The local transport (vsock_loopback) may be missing even where /dev/vsock is: probe it first.
        Process probe = new ProcessBuilder("socat", "-T", "2", "-", "VSOCK-CONNECT:1:" + vport)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        boolean reached = false;
        for (int i = 0; i < 10 && !reached; i++) {
            reached = probe.waitFor(1, TimeUnit.SECONDS) && probe.exitValue() == 0
                    && new String(probe.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).contains("from vsock");
            if (!reached && !probe.isAlive()) {
                probe = new ProcessBuilder("socat", "-T", "2", "-", "VSOCK-CONNECT:1:" + vport)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            }
        }
        probe.destroyForcibly();
        assumeTrue(reached, "this kernel cannot connect to a local vsock (no vsock_loopback)");
        int port = ProxyProcess.freePort();
        keep(ProxyProcess.activated(dir, port, "vsock:1:" + vport));
        assertThat(answer(port)).isEqualTo("from vsock\n");
    }

    /** systemd's socket-activate starts the proxy at the first connection. */
    private static void connectOnce(ProxyProcess activator) {
        String log = activator.log();
        int at = log.indexOf("Listening on 127.0.0.1:");
        int port = Integer.parseInt(log.substring(at + "Listening on 127.0.0.1:".length()).split("\\D", 2)[0]);
        try (Socket _ = new Socket("127.0.0.1", port)) {
            // the proxy starts and refuses its arguments
        } catch (IOException e) {
            // already gone: fine
        }
    }

    private static Backend answering(String text) {
        return TestBackends.tcp(InetAddress.getLoopbackAddress(),
                connection -> TestBackends.writeFully(connection, ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII))));
    }

    private static String answer(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
