package dev.sockact.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.posix.ErrnoException;
import dev.sockact.proxy.ProxyProcess.Activator;
import dev.sockact.proxy.ProxyProcess.Proxyd;
import dev.sockact.proxy.TestBackends.Backend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** sd_notify: READY=1 once serving, WATCHDOG=1 when asked, STOPPING=1 and exit 0 on SIGTERM. */
class ProxyNotifyIT extends ProxyTestBase {

    @Test
    void readyWatchdogAndStoppingOnSigterm() throws Exception {
        Backend backend = keep(TestBackends.echo());
        NotifyListener notify = keep(new NotifyListener(dir.resolve("notify.sock")));
        int port = ProxyProcess.freePort();
        ProxyProcess proxy = keep(ProxyProcess.start(dir,
                Map.of("NOTIFY_SOCKET", notify.address(), "WATCHDOG_USEC", "200000"),
                List.of(ProxyProcess.OUR_PROXYD, "--listen=127.0.0.1:" + port, backend.target())));

        notify.await("READY=1", proxy);
        try (var client = ProxyClients.connect(port)) {
            ProxyClients.assertRelayed(client); // READY=1 means serving
        }
        notify.await("WATCHDOG=1", proxy);

        assertThat(proxy.terminate()).as("exit status after SIGTERM; log:%n%s", proxy.log()).isZero();
        notify.await("STOPPING=1", proxy);
        assertThat(notify.messages().getFirst()).isEqualTo("READY=1");
    }

    /** Under a socket-activating parent the variables come with -E (the parent scrubs the environment). */
    @Test
    void readyUnderSocketActivateNow() {
        Backend backend = keep(TestBackends.echo());
        NotifyListener notify;
        try {
            notify = keep(new NotifyListener(dir.resolve("notify.sock")));
        } catch (ErrnoException e) {
            throw new AssertionError(e);
        }
        ProxyProcess proxy = keep(ProxyProcess.activated(dir, Activator.SOCKACT,
                List.of("--now", "-l", "127.0.0.1:" + ProxyProcess.freePort(), "-E", "NOTIFY_SOCKET=" + notify.address()),
                Proxyd.SOCKACT, List.of(backend.target())));
        notify.await("READY=1", proxy);
        assertThat(proxy.terminate()).isZero();
        notify.await("STOPPING=1", proxy);
    }

    /** systemd-socket-proxyd 252 pings the watchdog but never says READY=1 (Type=notify times out). */
    @Test
    void systemd252SendsWatchdogButNoReady() throws Exception {
        ProxyProcess.assumeExecutable(ProxyProcess.SYSTEMD_PROXYD);
        Backend backend = keep(TestBackends.echo());
        NotifyListener notify = keep(new NotifyListener(dir.resolve("notify.sock")));
        ProxyProcess systemd = keep(ProxyProcess.activated(dir, Activator.SOCKACT,
                List.of("--now", "-l", "127.0.0.1:" + ProxyProcess.freePort(), "-E", "NOTIFY_SOCKET=" + notify.address(),
                        "-E", "WATCHDOG_USEC=200000"),
                Proxyd.SYSTEMD, List.of(backend.target())));
        notify.await("WATCHDOG=1", systemd);
        assertThat(notify.messages()).noneMatch(m -> m.contains("READY=1"));
    }
}
