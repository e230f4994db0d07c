package dev.sockact.cli;

import dev.sockact.activation.ListenAddress;
import dev.sockact.activation.ListenFds;
import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.NativeWarmUp;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.Processes;
import dev.sockact.posix.Signals;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.Spawner;
import dev.sockact.proxy.ProxyConfig;
import dev.sockact.proxy.ProxyEngine;
import dev.sockact.proxy.ProxyListener;
import dev.sockact.proxy.ProxyObserver;
import dev.sockact.proxy.TargetResolver;
import dev.sockact.proxy.Target;
import dev.sockact.unit.TimeSpan;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training runs behind the AOT caches (bin/build-aot-cache): one walks every
 * short-lived tool's start-up path and the proxy's hot path once, the other
 * sockactd's start-up and activations, so the classes they load, link and
 * profile are in the cache and a socket-activated start does not pay for them.
 * Not a user command.
 */
public final class AotTraining {
    private AotTraining() {
        throw new AssertionError();
    }

    /**
     * No argument: the short-lived tools (socket-proxyd, socket-activate, sockctl) for sockact.aot. {@code sockactd}:
     * the daemon alone, for sockactd.aot. Two caches, because the daemon's classes would cost every tool's cold
     * start: one cache trained on both grew from 17.8 to 23.7 MB and socket-proxyd's start from 48 to 58 ms.
     */
    public static void main(String[] args) throws Exception {
        NativeWarmUp.start();
        if (args.length == 1 && args[0].equals("sockactd")) {
            daemonActivations();
        } else {
            parseCommandLines();
            proxyStartUp();
            spawnChild();
            proxyTraffic();
        }
        System.out.println("training done");
    }

    private static void parseCommandLines() {
        PrintWriter sink = new PrintWriter(new StringWriter());
        SocketActivateMain.run(sink, sink, "--help");
        SocketActivateMain.run(sink, sink, "--bogus");
        SocketActivateMain.run(sink, sink, "-l", "127.0.0.1:0", "-d", "-a", "true");
        SocketProxydMain.run(new String[] {"--help"}, sink, sink);
        SocketProxydMain.run(new String[] {"-c", "0", "x"}, sink, sink);
        SocketProxydMain.run(new String[] {"--exit-idle-time=5min 20s", "--bogus"}, sink, sink);
        System.getLogger("training").log(System.Logger.Level.DEBUG, "warming the logger");
    }

    /** socket-proxyd's own start-up, end to end: options, listener, signals, loop, idle exit. */
    private static void proxyStartUp() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        PrintWriter sink = new PrintWriter(new StringWriter());
        SocketProxydMain.run(new String[] {"--listen", "127.0.0.1:" + port, "--exit-idle-time=300ms", "-c", "16",
            "127.0.0.1:1"}, sink, sink);
    }

    private static void spawnChild() throws Exception {
        ListenAddress.parse("[::1]:8080");
        try (Fd listener = ListenSockets.open(new SockAddr.In4((Inet4Address) InetAddress.getLoopbackAddress(), 0),
                ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM))) {
            // What a socket-activated tool holds first (ListenFds.fromEnvironment itself would adopt fd 3, which is
            // one of this JVM's own here): in the cache, so that a cold start never opens the jar.
            new ListenFds.Passed(listener, "training", Sockets.SOCK_STREAM, true)
                    .isListeningStream();
            int pid = Spawner.spawn(SpawnRequest.of("/bin/true", List.of("true")).passFds(List.of(listener))
                    .setListenPid(true).environment(List.of("LISTEN_FDS=1")).build());
            try (Pidfd child = Pidfd.open(pid)) {
                child.await();
            }
        }
    }

    /** Request/response and bulk traffic through a real proxy to a local echo server. */
    private static void proxyTraffic() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> serveEcho(echo));
            Fd listener = ListenSockets.open(new SockAddr.In4((Inet4Address) InetAddress.getLoopbackAddress(), 0),
                    ListenSockets.Options.activateDefaults(Sockets.SOCK_STREAM));
            Io.setNonBlocking(listener.fd(), true);
            int port = ((SockAddr.In4) Sockets.localAddress(listener.fd())).port();
            ProxyEngine proxy = new ProxyEngine(new ProxyConfig(64, Long.MAX_VALUE,
                    TimeSpan.parseSec("5s").toNanos(), 1), ProxyObserver.NONE, System.getLogger("socket-proxyd"));
            TargetResolver target = new TargetResolver(Target.parse("127.0.0.1:" + echo.getLocalPort()));
            Thread loop = Thread.ofPlatform().start(() -> {
                try {
                    proxy.run(List.of(new ProxyListener(listener, target)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] small = new byte[100];
            byte[] large = new byte[4 << 20];
            // New connection per request (the churn path), a large transfer now and then (splice).
            for (int round = 0; round < 1500; round++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    roundTrip(s, round % 300 == 0 ? large : small);
                    s.shutdownOutput();
                    s.getInputStream().read();
                }
            }
            // Keep-alive: many small messages on one connection.
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                for (int i = 0; i < 20000; i++) {
                    out.write(small);
                    in.readNBytes(small.length);
                }
            }
            proxy.stop();
            loop.join();
            listener.close();
        }
    }

    /**
     * sockactd end to end: start-up (unit loading, listening), Accept=no activations (a service started per
     * connection, its exit, listening again), Accept=yes instances, a hosted socket-proxyd service (where
     * systemd's binary is installed: ours is recognised by its launcher, which the training has no path to)
     * activated and stopped when idle, then the stop. Without it the daemon's first activation loads and links
     * ~60-200 ms of classes, and its first seconds of Accept=yes run slower (bench/activation-bench).
     */
    private static void daemonActivations() throws Exception {
        // The command line's path, to the last check before the daemon starts (the mode fails it).
        PrintWriter usage = new PrintWriter(new StringWriter());
        SockactdMain.run(new String[] {"--unit-dir=/nonexistent", "--control-socket=/nonexistent/control.sock",
            "--control-socket-mode=1777"}, usage, usage);
        SockactdMain.run(new String[] {"--bogus"}, usage, usage);
        SockactdMain.run(new String[] {"--help"}, usage, usage);
        Path dir = Files.createTempDirectory("sockact-training");
        try {
            Path units = Files.createDirectories(dir.resolve("units"));
            Path marks = dir.resolve("started");
            int once = freePort();
            int perConnection = freePort();
            // Accept=no: a one-shot service that does not accept, so the socket triggers it again after each exit
            // (the limits lifted); every start appends a line.
            Files.writeString(units.resolve("once.socket"), "[Socket]\nListenStream=127.0.0.1:" + once
                    + "\nTriggerLimitIntervalSec=0\n");
            Files.writeString(units.resolve("once.service"), "[Unit]\nStartLimitIntervalSec=0\n\n[Service]\n"
                    + "ExecStart=/bin/sh -c 'echo >>" + marks + "'\n");
            Files.writeString(units.resolve("each.socket"), "[Socket]\nListenStream=127.0.0.1:" + perConnection
                    + "\nAccept=yes\nTriggerLimitIntervalSec=0\n");
            Files.writeString(units.resolve("each@.service"), "[Service]\nExecStart=/bin/echo hi\n"
                    + "StandardInput=socket\nStandardError=null\n");
            Path systemdProxy = Path.of("/lib/systemd/systemd-socket-proxyd");
            int hostedPort = freePort();
            ServerSocket echo = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().start(() -> serveEcho(echo));
            boolean hosted = Files.isExecutable(systemdProxy);
            if (hosted) {
                Files.writeString(units.resolve("hosted.socket"), "[Socket]\nListenStream=127.0.0.1:" + hostedPort
                        + "\nTriggerLimitIntervalSec=0\nPollLimitIntervalSec=0\n");
                Files.writeString(units.resolve("hosted.service"), "[Unit]\nStartLimitIntervalSec=0\n\n[Service]\n"
                        + "ExecStart=" + systemdProxy + " --exit-idle-time=20ms 127.0.0.1:" + echo.getLocalPort() + "\n");
            }
            PrintWriter sink = new PrintWriter(new StringWriter());
            // Through the command line and its signal handlers, as bin/sockactd runs it: their classes and method
            // references are then in the cache too, and a SIGTERM to ourselves stops the daemon.
            String[] command = {"--unit-dir=" + units, "--control-socket=" + dir.resolve("control.sock")};
            Thread daemon = Thread.ofPlatform().daemon().start(() -> SockactdMain.run(command, sink, sink));
            long deadline = System.nanoTime() + 20_000_000_000L;
            // Accept=yes first: its socket is up once a connection is answered.
            int served = 0;
            while (served < 300 && System.nanoTime() < deadline) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), perConnection)) {
                    s.getInputStream().readAllBytes();
                    served++;
                } catch (java.io.IOException notYet) {
                    Thread.sleep(10);
                }
            }
            // Hosted: each connection finds the proxy stopped (idle after 20 ms) or running; both paths are walked.
            for (int i = 0; hosted && i < 30 && System.nanoTime() < deadline; i++) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), hostedPort)) {
                    roundTrip(s, new byte[] {1});
                }
                Thread.sleep(30);
            }
            echo.close();
            // Accept=no: one connection left pending triggers the service over and over.
            try (Socket _ = new Socket(InetAddress.getLoopbackAddress(), once)) {
                while (System.nanoTime() < deadline && (!Files.exists(marks) || Files.size(marks) < 40)) {
                    Thread.sleep(5);
                }
            }
            // A daemon that served a connection has its SIGTERM handler: it is installed before any socket listens.
            if (served > 0) {
                Processes.kill((int) ProcessHandle.current().pid(), Signals.SIGTERM);
                daemon.join(20_000);
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private static void roundTrip(Socket s, byte[] data) throws Exception {
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                out.write(data);
            } catch (Exception ignored) {
                // the read below fails too
            }
        });
        in.readNBytes(data.length);
        writer.join();
    }

    private static void serveEcho(ServerSocket server) {
        while (true) {
            try {
                Socket s = server.accept();
                Thread.ofPlatform().daemon().start(() -> {
                    try (s) {
                        s.getInputStream().transferTo(s.getOutputStream());
                    } catch (Exception ignored) {
                        // a client that left
                    }
                });
            } catch (Exception e) {
                return;
            }
        }
    }
}
