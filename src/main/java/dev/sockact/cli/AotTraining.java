package dev.sockact.cli;

import dev.sockact.activation.ListenAddress;
import dev.sockact.activation.ListenFds;
import dev.sockact.activation.ListenSockets;
import dev.sockact.posix.Fd;
import dev.sockact.posix.Io;
import dev.sockact.posix.NativeWarmUp;
import dev.sockact.posix.Pidfd;
import dev.sockact.posix.SockAddr;
import dev.sockact.posix.Sockets;
import dev.sockact.posix.SpawnRequest;
import dev.sockact.posix.Spawner;
import dev.sockact.proxy.ProxyConfig;
import dev.sockact.proxy.ProxyServer;
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
import java.util.List;

/**
 * The training run behind the AOT cache (bin/build-aot-cache): walks every
 * tool's start-up path and the proxy's hot path once, so the classes they
 * load, link and profile are in the cache and a socket-activated start does
 * not pay for them. Not a user command.
 */
public final class AotTraining {
    private AotTraining() {
        throw new AssertionError();
    }

    public static void main(String[] args) throws Exception {
        NativeWarmUp.start();
        parseCommandLines();
        proxyStartUp();
        spawnChild();
        proxyTraffic();
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
            ProxyServer proxy = new ProxyServer(new ProxyConfig(Target.parse("127.0.0.1:" + echo.getLocalPort()),
                    64, Long.MAX_VALUE, TimeSpan.parseSec("5s").toNanos(), 1));
            Thread loop = Thread.ofPlatform().start(() -> {
                try {
                    proxy.run(List.of(listener));
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
