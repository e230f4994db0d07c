package dev.sockact.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** sockctl verify and show, run in-process. */
class SockctlTest {

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = SockctlMain.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void verifyPassesAGoodPair() throws IOException {
        Files.writeString(dir.resolve("ok.socket"), "[Socket]\nListenStream=8080\n");
        Files.writeString(dir.resolve("ok.service"), "[Service]\nExecStart=/bin/cat\n");
        Run run = run("verify", dir.resolve("ok.socket").toString());
        assertThat(run.status()).isZero();
        assertThat(run.err()).isEmpty();
    }

    @Test
    void verifyMarksSockactOnlySpellingsButStillPasses() throws IOException {
        Files.writeString(dir.resolve("ext.socket"), "[Socket]\nListenStream=*:8080\nDeferAccept=yes\n");
        Files.writeString(dir.resolve("ext.service"), "[Service]\nExecStart=/bin/cat\n");
        Run run = run("verify", dir.resolve("ext.socket").toString());
        assertThat(run.status()).isZero();
        assertThat(run.err()).contains(dir.resolve("ext.socket") + ":2: systemd will not accept ListenStream=*:8080")
                .contains(":3: systemd knows only DeferAcceptSec=");
    }

    @Test
    void verifyFailsABrokenUnitWithFileAndLine() throws IOException {
        Files.writeString(dir.resolve("bad.socket"), "[Socket]\nAccept=maybe\n");
        Run run = run("verify", dir.resolve("bad.socket").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo(dir.resolve("bad.socket") + ":2: Failed to parse boolean value, ignoring: maybe\n"
                + "bad.socket: Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.\n"
                + "Unit bad.socket has a bad unit file setting.\n");
    }

    @Test
    void verifyChecksExecutables() throws IOException {
        Files.writeString(dir.resolve("x.service"), "[Service]\nExecStart=/nonexistent/x\n");
        Run run = run("verify", dir.resolve("x.service").toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("x.service: Command /nonexistent/x is not executable: No such file or directory\n");
    }

    @Test
    void verifyPrintsTheServicesDiagnosticsOnceWhenBothFilesAreNamed() throws IOException {
        Files.writeString(dir.resolve("pair.socket"), "[Socket]\nListenStream=8080\n");
        Files.writeString(dir.resolve("pair.service"), "[Service]\nExecStart=/bin/cat\nRestart=sometimes\n");
        String diagnostic = dir.resolve("pair.service") + ":3: Failed to parse service restart specifier, ignoring:"
                + " sometimes\n";
        for (String[] order : new String[][] {{"pair.socket", "pair.service"}, {"pair.service", "pair.socket"}}) {
            Run run = run("verify", dir.resolve(order[0]).toString(), dir.resolve(order[1]).toString());
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.err()).as(String.join(" ", order)).isEqualTo(diagnostic);
        }
    }

    @Test
    void showPrintsSystemctlProperties() throws IOException {
        Files.writeString(dir.resolve("web.socket"), "[Socket]\nListenStream=8080\nKeepAliveTimeSec=320\n");
        Run run = run("show", "--unit-dir", dir.toString(), "web.socket");
        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("Listen=[::]:8080 (Stream)\n", "Backlog=2147483647\n",
                "KeepAliveTimeUSec=5min 20s\n", "Accept=no\n", "SocketMode=0666\n", "DirectoryMode=0755\n",
                "MaxConnections=64\n", "TriggerLimitIntervalUSec=2s\n", "TriggerLimitBurst=20\n",
                "FileDescriptorName=web.socket\n", "Triggers=web.service\n");
    }

    @Test
    void showFiltersProperties() throws IOException {
        Files.writeString(dir.resolve("web.socket"), "[Socket]\nListenStream=8080\nListenStream=/run/w.sock\n");
        Run run = run("show", "--unit-dir", dir.toString(), "web.socket", "-p", "Listen,Accept", "-p", "Id");
        assertThat(run.out()).isEqualTo("Id=web.socket\nAccept=no\nListen=[::]:8080 (Stream)\nListen=/run/w.sock (Stream)\n");
    }

    @Test
    void showAMissingUnit() {
        Run run = run("show", "--unit-dir", dir.toString(), "nope.socket");
        assertThat(run.status()).isEqualTo(4);
        assertThat(run.out()).isEqualTo("Id=nope.socket\nLoadState=not-found\n");
    }

    /** As systemctl's unit_name_mangle(), offline too: no suffix is NAME.service; another type's suffix is kept. */
    @Test
    void showMangelsNamesAsSystemctl() throws IOException {
        Files.writeString(dir.resolve("web.service"), "[Service]\nExecStart=/bin/cat\n");

        Run bare = run("show", "--unit-dir", dir.toString(), "web", "-p", "Id");
        assertThat(bare.status()).as(bare.err()).isZero();
        assertThat(bare.out()).isEqualTo("Id=web.service\n");

        Run timer = run("show", "--unit-dir", dir.toString(), "web.timer");
        assertThat(timer.status()).isEqualTo(1);
        assertThat(timer.err()).isEqualTo("Unit name web.timer is not a .socket or .service unit.\n");
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("verify").status()).isEqualTo(2);
        assertThat(run("show").status()).isEqualTo(2);
    }
}
