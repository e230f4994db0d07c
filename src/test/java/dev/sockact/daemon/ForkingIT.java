package dev.sockact.daemon;

import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.Sockctl.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Type=forking against a real nginx (daemon on, pid file): started once the parent exited, main PID from PIDFile=,
 * ExecReload= with $MAINPID through {@code sockctl reload-unit}, ExecStop= with $MAINPID, and nothing left after.
 */
class ForkingIT {
    private static final Path NGINX = Path.of("/usr/sbin/nginx");

    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    @Test
    void nginxForksIsSupervisedThroughItsPidFileReloadsAndStops() throws Exception {
        assumeTrue(Files.isExecutable(NGINX), "nginx is not installed");
        int port = freeTcpPort();
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Path pidFile = prefix.resolve("nginx.pid");
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, "pid " + pidFile + ";\ndaemon on;\nerror_log " + prefix.resolve("error.log") + ";\n"
                + "events {}\nhttp {\n  access_log off;\n"
                + "  client_body_temp_path " + prefix.resolve("body") + ";\n"
                + "  proxy_temp_path " + prefix.resolve("proxy") + ";\n"
                + "  fastcgi_temp_path " + prefix.resolve("fastcgi") + ";\n"
                + "  uwsgi_temp_path " + prefix.resolve("uwsgi") + ";\n"
                + "  scgi_temp_path " + prefix.resolve("scgi") + ";\n"
                + "  server { listen 127.0.0.1:" + port + "; location / { return 200 \"hello\\n\"; } }\n}\n");
        String nginx = NGINX + " -p " + prefix + " -e " + prefix.resolve("error.log") + " -c " + conf;
        Path units = daemons.units();
        Path reloadPid = dir.resolve("reload-mainpid");
        Path stopPid = dir.resolve("stop-mainpid");
        Files.writeString(units.resolve("nginx.service"), "[Unit]\nDescription=Test nginx\n[Service]\nType=forking\n"
                + "PIDFile=" + pidFile + "\nExecStartPre=" + nginx + " -t -q\nExecStart=" + nginx + "\n"
                + "ExecReload=/bin/sh -c 'echo $MAINPID > " + reloadPid + "; exec " + nginx + " -s reload'\n"
                + "ExecStop=/bin/sh -c 'echo $MAINPID > " + stopPid + "; exec " + nginx + " -s quit'\n");
        DaemonProcess daemon = daemons.start();
        daemons.awaitControlSocket();

        Run started = daemons.ctl("start", "nginx.service");
        assertThat(started.status()).as(started.err() + daemon.log()).isZero();
        assertThat(get(port)).isEqualTo("hello\n");
        int master = Integer.parseInt(Files.readString(pidFile).strip());
        String show = daemons.ctl("show", "-p", "MainPID,ActiveState,SubState", "nginx.service").out();
        assertThat(show).contains("MainPID=" + master).contains("ActiveState=active").contains("SubState=running");
        // The forking parent is gone; the master is sockactd's child now (a subreaper), so it can be reaped.
        assertThat(Files.readString(Path.of("/proc/" + master + "/stat"))).contains(") S " + daemon.process.pid() + " ");

        Run reloaded = daemons.ctl("reload-unit", "nginx.service");
        assertThat(reloaded.status()).as(reloaded.err()).isZero();
        assertThat(Files.readString(reloadPid).strip()).isEqualTo(Integer.toString(master));
        assertThat(get(port)).isEqualTo("hello\n");
        daemon.await("Reloaded Test nginx.");

        Run stopped = daemons.ctl("stop", "nginx.service");
        assertThat(stopped.status()).as(stopped.err()).isZero();
        assertThat(Files.readString(stopPid).strip()).isEqualTo(Integer.toString(master));
        assertThat(daemons.activeState("nginx.service")).isEqualTo("inactive");
        assertThat(Path.of("/proc/" + master)).doesNotExist();
        assertThat(pidFile).doesNotExist();
        assertThat(DependenciesIT.children(daemon.process.pid())).noneMatch(DependenciesIT::zombie);
    }

    @Test
    void reloadWithoutExecReloadIsRefused() throws Exception {
        Path units = daemons.units();
        Files.writeString(units.resolve("plain.service"), "[Service]\nExecStart=/bin/sleep 600\n");
        DaemonProcess daemon = daemons.start();
        daemons.awaitControlSocket();
        assertThat(daemons.ctl("start", "plain.service").status()).isZero();
        Run run = daemons.ctl("reload-unit", "plain.service");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).contains("Job for plain.service failed.");
        assertThat(daemon.log()).contains("plain.service: Job type reload is not applicable: no ExecReload=.");
        assertThat(daemons.activeState("plain.service")).isEqualTo("active");
    }

    private static String get(int port) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try (InputStream in = s.getInputStream()) {
                String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return response.substring(response.indexOf("\r\n\r\n") + 4);
            }
        }
    }
}
