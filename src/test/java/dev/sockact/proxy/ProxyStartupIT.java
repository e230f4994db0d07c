package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sockact.proxy.ProxyProcess.Proxyd;
import dev.sockact.proxy.ProxyProcess.Setup;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Start-up failures: bad arguments and every kind of unusable passed socket, compared with systemd's proxy. */
class ProxyStartupIT extends ProxyTestBase {
    private static final String TARGET = "127.0.0.1:1";

    /** Runs {@code proxyd ARGS} with {@code environment} to its end. */
    private ProxyProcess run(Proxyd proxyd, Map<String, String> environment, List<String> command) {
        ProxyProcess p = keep(ProxyProcess.run(dir, environment, command));
        return p;
    }

    private static List<String> command(Proxyd proxyd, List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(proxyd.path));
        command.addAll(arguments);
        return command;
    }

    static Stream<Arguments> badArguments() {
        return Stream.of(
                Arguments.of(List.of(), "Not enough parameters."),
                Arguments.of(List.of("a:1", "b:2"), "Too many parameters."),
                Arguments.of(List.of("-c", "0", TARGET), "Connection limit is too low."),
                Arguments.of(List.of("-c", "-1", TARGET), "Failed to parse --connections-max= argument: -1"),
                Arguments.of(List.of("--connections-max=abc", TARGET), "Failed to parse --connections-max= argument: abc"),
                Arguments.of(List.of("--exit-idle-time=bogus", TARGET), "Failed to parse --exit-idle-time= argument: bogus"),
                Arguments.of(List.of("--exit-idle-time=5 parsecs", TARGET),
                        "Failed to parse --exit-idle-time= argument: 5 parsecs"),
                Arguments.of(List.of("--exit-idle-time=-1", TARGET), "Failed to parse --exit-idle-time= argument: -1"),
                Arguments.of(List.of("--bogus", TARGET), "unrecognized option '--bogus'"),
                Arguments.of(List.of("--bogus=1", TARGET), "unrecognized option '--bogus=1'"),
                Arguments.of(List.of(TARGET, "--exit-idle"), "option '--exit-idle-time' requires an argument"),
                Arguments.of(List.of("--exit=5", TARGET), "Didn't get any sockets passed in."),
                Arguments.of(List.of("--he=1", TARGET), "option '--help' doesn't allow an argument"),
                Arguments.of(List.of("-c"), "option requires an argument -- 'c'"),
                Arguments.of(List.of(TARGET), "Didn't get any sockets passed in."));
    }

    /** Same message (our program name aside) and exit status 1 as systemd-socket-proxyd. */
    @ParameterizedTest
    @MethodSource("badArguments")
    void badArgumentsFailLikeSystemd(List<String> arguments, String message) {
        ProxyProcess ours = run(Proxyd.SOCKACT, Map.of(), command(Proxyd.SOCKACT, arguments));
        ours.assertExitStatus(1);
        assertThat(ours.log()).contains(message);
        assumeTrue(Files.isExecutable(Path.of(ProxyProcess.SYSTEMD_PROXYD)),
                ProxyProcess.SYSTEMD_PROXYD + " not installed: only ours was checked");
        ProxyProcess systemd = run(Proxyd.SYSTEMD, Map.of(), command(Proxyd.SYSTEMD, arguments));
        systemd.assertExitStatus(1);
        assertThat(systemd.log()).contains(message);
    }

    @Test
    void extensionArgumentsAreChecked() {
        for (var c : List.of(
                List.of("--threads=0", TARGET, "Failed to parse --threads= argument: 0"),
                List.of("--threads=x", TARGET, "Failed to parse --threads= argument: x"),
                List.of("--connect-timeout=soon", TARGET, "Failed to parse --connect-timeout= argument: soon"),
                List.of("--connect-retry=soon", TARGET, "Failed to parse --connect-retry= argument: soon"),
                List.of("--connect-retry=infinity", TARGET, "Failed to parse --connect-retry= argument: infinity"),
                List.of("--listen=nowhere:port", TARGET, "Failed to parse --listen= argument: nowhere:port"),
                List.of("127.0.0.1:nosuchservice", "Unknown port or service name: nosuchservice"),
                List.of("[::1", "Missing ']'"))) {
            ProxyProcess p = run(Proxyd.SOCKACT, Map.of(), command(Proxyd.SOCKACT, c.subList(0, c.size() - 1)));
            p.assertExitStatus(1);
            assertThat(p.log()).as("%s", c).contains(c.getLast());
        }
    }

    /** getopt_long permutes: systemd accepts options after the target (as in many ExecStart= lines). */
    @Test
    void optionsAfterTheTargetAreAccepted() {
        List<String> arguments = List.of(TARGET, "-c", "3");
        ProxyProcess ours = run(Proxyd.SOCKACT, Map.of(), command(Proxyd.SOCKACT, arguments));
        assertThat(ours.log()).as("options after the target are parsed, as getopt does")
                .contains("Didn't get any sockets passed in.");
        assumeTrue(Files.isExecutable(Path.of(ProxyProcess.SYSTEMD_PROXYD)),
                ProxyProcess.SYSTEMD_PROXYD + " not installed: only ours was checked");
        ProxyProcess systemd = run(Proxyd.SYSTEMD, Map.of(), command(Proxyd.SYSTEMD, arguments));
        assertThat(systemd.log()).contains("Didn't get any sockets passed in.");
    }

    @Test
    void helpAndVersionExitZero() {
        ProxyProcess help = run(Proxyd.SOCKACT, Map.of(), command(Proxyd.SOCKACT, List.of("--help")));
        help.assertExitStatus(0);
        assertThat(help.stdout()).contains("--connections-max=", "--exit-idle-time=", "--listen=", "--connect-timeout=",
                "--connect-retry=", "--threads=");
        ProxyProcess shortHelp = run(Proxyd.SOCKACT, Map.of(), command(Proxyd.SOCKACT, List.of("-h")));
        shortHelp.assertExitStatus(0);
        ProxyProcess version = run(Proxyd.SOCKACT, Map.of(), command(Proxyd.SOCKACT, List.of("--version")));
        version.assertExitStatus(0);
        assertThat(version.stdout()).contains("socket-proxyd");
    }

    /** LISTEN_FDS=0 (and other malformed values) with our own pid: sd_listen_fds() fails. */
    @ParameterizedTest
    @EnumSource(Proxyd.class)
    void malformedListenFds(Proxyd proxyd) {
        proxyd.assumeInstalled();
        for (String value : List.of("0", "abc")) {
            ProxyProcess p = run(proxyd, Map.of("LISTEN_FDS", value),
                    ProxyProcess.withOwnListenPid(command(proxyd, List.of(TARGET))));
            p.assertExitStatus(1);
            assertThat(p.log()).as("LISTEN_FDS=%s", value).contains("Failed to receive sockets from parent.");
        }
    }

    /** LISTEN_PID of another process: the fds are not ours, as if none were passed. */
    @ParameterizedTest
    @EnumSource(Proxyd.class)
    void listenPidOfAnotherProcess(Proxyd proxyd) {
        proxyd.assumeInstalled();
        ProxyProcess p = run(proxyd, Map.of("LISTEN_FDS", "1", "LISTEN_PID", "1"), command(proxyd, List.of(TARGET)));
        p.assertExitStatus(1);
        assertThat(p.log()).contains("Didn't get any sockets passed in.");
    }

    /** A UDP socket (activator -d): systemd's exits 1 at start; ours forwards it (ProxyDatagramIT). */
    @ParameterizedTest
    @EnumSource(names = "SYSTEMD_UNDER_SYSTEMD")
    void datagramSocketIsRefused(Setup setup) throws Exception {
        int port = ProxyProcess.freePort();
        ProxyProcess p = ProxyProcess.activated(dir, setup.activator, List.of("-d", "-l", "127.0.0.1:" + port),
                setup.proxyd, List.of(TARGET));
        keep(p);
        try (DatagramSocket d = new DatagramSocket()) {
            byte[] wake = {1};
            d.send(new DatagramPacket(wake, 1, InetAddress.getLoopbackAddress(), port)); // activates: exec
        }
        p.assertExitStatus(1);
        assertThat(p.log()).contains("Passed in socket is not a stream socket.");
    }

    /** A connected socket (activator -a: one child per connection): each child exits 1. */
    @ParameterizedTest
    @EnumSource(Setup.class)
    void connectedSocketIsRefused(Setup setup) {
        int port = ProxyProcess.freePort();
        ProxyProcess p = ProxyProcess.activated(dir, setup.activator, List.of("-a", "-l", "127.0.0.1:" + port),
                setup.proxyd, List.of(TARGET));
        keep(p);
        try (Socket client = ProxyClients.connect(port)) {
            assertThat(ProxyClients.readUntilClosed(client).data()).isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        p.awaitLog("Passed in socket is not a stream socket.");
        p.awaitLog("died with code 1");
    }

    /** A bound TCP socket that does not listen (made by python3, which can pass a socket as fd 3). */
    @ParameterizedTest
    @EnumSource(Proxyd.class)
    void boundButNotListeningSocketIsRefused(Proxyd proxyd) {
        proxyd.assumeInstalled();
        Assumptions.assumeTrue(Stream.of(System.getenv("PATH").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "python3"))), "python3 is not installed");
        String script = """
                import os, socket, sys
                s = socket.socket()
                s.bind(("127.0.0.1", 0))
                os.dup2(s.fileno(), 3)
                os.environ["LISTEN_FDS"] = "1"
                os.environ["LISTEN_PID"] = str(os.getpid())
                os.execv(sys.argv[1], sys.argv[1:])
                """;
        ProxyProcess p = run(proxyd, Map.of(), List.of("python3", "-c", script, proxyd.path, TARGET));
        p.assertExitStatus(1);
        assertThat(p.log()).contains("Passed in socket is not a stream socket.");
    }
}
