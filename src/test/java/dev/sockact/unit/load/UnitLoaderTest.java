package dev.sockact.unit.load;

import dev.sockact.unit.BindIPv6Only;
import dev.sockact.unit.Diagnostic;
import dev.sockact.unit.ExitStatusSet;
import dev.sockact.unit.ListenSpec;
import dev.sockact.unit.ServiceType;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.SocketUnit;
import dev.sockact.unit.StandardInput;
import dev.sockact.unit.TimeSpan;
import dev.sockact.unit.parse.TestContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole-file fixtures: syntax rules, defaults, drop-ins, specifiers and whole-unit checks. */
class UnitLoaderTest {

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    private LoadResult<SocketUnit> socket(String name) {
        return new UnitLoader(List.of(dir), TestContexts.HOST).loadSocket(name);
    }

    private static List<String> messages(LoadResult<?> result) {
        return result.diagnostics().stream().map(d -> d.line() + ": " + d.message()).toList();
    }

    @Test
    void moreDropInsThanTheBoundRefuseTheUnitWithTheCount() throws IOException {
        write("many.socket", "[Socket]\nListenStream=8080\n");
        Files.createDirectories(dir.resolve("many.socket.d"));
        for (int i = 0; i <= UnitLoader.MAX_DROP_INS; i++) {
            write("many.socket.d/" + i + ".conf", "[Socket]\nBacklog=" + i + "\n");
        }
        LoadResult<SocketUnit> many = socket("many.socket");
        assertThat(many.state()).isEqualTo(LoadState.ERROR);
        assertThat(many.diagnostics()).extracting(Diagnostic::message).contains("Too many drop-ins ("
                + (UnitLoader.MAX_DROP_INS + 1) + ", the limit is " + UnitLoader.MAX_DROP_INS + "), refusing to load"
                + " the unit.");
        Files.delete(dir.resolve("many.socket.d/0.conf"));
        assertThat(socket("many.socket").state()).isEqualTo(LoadState.LOADED);
    }

    @Test
    void defaultsAreSystemds() throws IOException {
        write("web.socket", "[Socket]\nListenStream=8080\n");
        SocketUnit socket = socket("web.socket").unit();
        assertThat(socket.listens()).extracting(ListenSpec::display).containsExactly("[::]:8080 (Stream)");
        assertThat(socket.options().backlog()).isEqualTo(2147483647L);
        assertThat(socket.socketMode()).isEqualTo(0666);
        assertThat(socket.directoryMode()).isEqualTo(0755);
        assertThat(socket.maxConnections()).isEqualTo(64);
        assertThat(socket.triggerLimitInterval()).isEqualTo(TimeSpan.ofSeconds(2));
        assertThat(socket.triggerLimitBurst()).isEqualTo(20);
        assertThat(socket.pollLimitBurst()).isEqualTo(15);
        assertThat(socket.fileDescriptorName()).isEqualTo("web.socket");
        assertThat(socket.options().bindIPv6Only()).isEqualTo(BindIPv6Only.DEFAULT);
        assertThat(socket.options().ipTos()).isEqualTo(-1);
        assertThat(socket.timeout()).isEqualTo(TimeSpan.ofSeconds(90));
        assertThat(socket.serviceName()).hasToString("web.service");
    }

    @Test
    void serviceStartLimitHasSystemdsDefaultsAndBothSpellings() throws IOException {
        write("plain.service", "[Service]\nExecStart=/bin/true\n");
        write("lifted.service", "[Unit]\nStartLimitIntervalSec=0\nStartLimitBurst=3\n[Service]\nExecStart=/bin/true\n");
        write("old.service", "[Unit]\nStartLimitInterval=1min\n[Service]\nExecStart=/bin/true\n");
        UnitLoader loader = new UnitLoader(List.of(dir), TestContexts.HOST);

        var plain = loader.loadService("plain.service").unit().unit();
        assertThat(plain.startLimitInterval()).isEqualTo(TimeSpan.ofSeconds(10));
        assertThat(plain.startLimitBurst()).isEqualTo(5);
        var lifted = loader.loadService("lifted.service");
        assertThat(lifted.diagnostics()).isEmpty();
        assertThat(lifted.unit().unit().startLimitInterval()).isEqualTo(TimeSpan.ZERO);
        assertThat(lifted.unit().unit().startLimitBurst()).isEqualTo(3);
        assertThat(loader.loadService("old.service").unit().unit().startLimitInterval()).isEqualTo(TimeSpan.ofSeconds(60));
    }

    @Test
    void namespaceSettingsAreSupportedKeys() throws IOException {
        write("proxy.service", "[Unit]\nJoinsNamespaceOf=nginx.service\nJoinsNamespaceOf=db.service %n\n"
                + "[Service]\nExecStart=/bin/true\nPrivateNetwork=yes\nPrivateTmp=true\n");
        write("plain.service", "[Service]\nExecStart=/bin/true\nPrivateTmp=maybe\n");
        UnitLoader loader = new UnitLoader(List.of(dir), TestContexts.HOST);

        var proxy = loader.loadService("proxy.service");
        assertThat(proxy.diagnostics()).isEmpty();
        assertThat(proxy.unit().privateNetwork()).isTrue();
        assertThat(proxy.unit().privateTmp()).isTrue();
        assertThat(proxy.unit().unit().joinsNamespaceOf())
                .containsExactly("nginx.service", "db.service", "proxy.service");
        var plain = loader.loadService("plain.service");
        assertThat(plain.unit().privateNetwork()).isFalse();
        assertThat(plain.unit().privateTmp()).isFalse();
        assertThat(messages(plain)).containsExactly("3: Failed to parse boolean value, ignoring: maybe");
    }

    @Test
    void successExitStatusTakesCodesNamesAndSignalsAndAnEmptyValueResets() throws IOException {
        write("a.service", "[Service]\nExecStart=/bin/true\nSuccessExitStatus=75 FAILURE\nSuccessExitStatus=SIGUSR1 TERM 10\n");
        write("b.service", "[Service]\nExecStart=/bin/true\nSuccessExitStatus=75\nSuccessExitStatus=\nSuccessExitStatus=300\n");
        UnitLoader loader = new UnitLoader(List.of(dir), TestContexts.HOST);

        ExitStatusSet success = loader.loadService("a.service").unit().successExitStatus();
        assertThat(success.codes()).containsExactlyInAnyOrder(75, 1, 10);
        assertThat(success.signals()).containsExactlyInAnyOrder(10, 15);
        write("c.service", "[Service]\nExecStart=/bin/true\nRestart=on-failure\nRestartPreventExitStatus=3 SIGKILL DATAERR\n");
        ExitStatusSet prevent = loader.loadService("c.service").unit().restartPreventExitStatus();
        assertThat(prevent.codes()).containsExactlyInAnyOrder(3, 65);
        assertThat(prevent.signals()).containsExactly(9);
        var b = loader.loadService("b.service");
        assertThat(b.unit().successExitStatus()).isEqualTo(ExitStatusSet.EMPTY);
        assertThat(messages(b)).containsExactly("5: Value 300 is outside range 0-255, ignoring");
    }

    @Test
    void acceptYesRaisesTheTriggerLimitAndActivatesTheTemplate() throws IOException {
        write("echo.socket", "[Socket]\nListenStream=/run/echo.sock\nAccept=yes\n");
        SocketUnit socket = socket("echo.socket").unit();
        assertThat(socket.triggerLimitBurst()).isEqualTo(200);
        assertThat(socket.pollLimitBurst()).isEqualTo(150);
        assertThat(socket.serviceName()).hasToString("echo@.service");
    }

    @Test
    void dropInsApplyAfterTheFragmentInFileNameOrder() throws IOException {
        write("web.socket", "[Socket]\nListenStream=8080\nBacklog=10\n");
        write("web.socket.d/20-second.conf", "[Socket]\nBacklog=30\n");
        write("web.socket.d/10-first.conf", "[Socket]\nListenStream=\nListenStream=9090\nBacklog=20\n");
        write("socket.d/15-all.conf", "[Socket]\nKeepAlive=yes\n");
        write("web-.socket.d/05-prefix.conf", "[Socket]\nNoDelay=yes\n");
        write("web.socket.d/ignored.txt", "[Socket]\nBacklog=99\n");
        LoadResult<SocketUnit> result = socket("web.socket");
        SocketUnit socket = result.unit();
        assertThat(socket.listens()).extracting(ListenSpec::display).containsExactly("[::]:9090 (Stream)");
        assertThat(socket.options().backlog()).isEqualTo(30);
        assertThat(socket.options().keepAlive()).isTrue();
        assertThat(socket.dropInPaths()).extracting(p -> p.getFileName().toString())
                .containsExactly("10-first.conf", "15-all.conf", "20-second.conf");
    }

    @Test
    void instancesUseTheTemplateAndItsDropIns() throws IOException {
        write("app@.service", "[Service]\nExecStart=/bin/echo %i %I\n");
        write("app@.service.d/env.conf", "[Service]\nEnvironment=INSTANCE=%i\n");
        LoadResult<ServiceUnit> result = new UnitLoader(List.of(dir), TestContexts.HOST).loadService("app@a-b.service");
        assertThat(result.loaded()).isTrue();
        assertThat(result.unit().execStart().getFirst().argv()).containsExactly("/bin/echo", "a-b", "a/b");
        assertThat(result.unit().environment()).containsExactly("INSTANCE=a-b");
    }

    @Test
    void oneLoaderFindsEveryInstanceFileAndWhatIsAddedAfterItsFirstLoad() throws IOException {
        // A loader lists each unit directory once, and again when it changes (an instance per connection must not
        // probe the disk for every file it could have); what is added later is seen by the next load.
        write("app@.service", "[Service]\nExecStart=/bin/echo template %i\n");
        write("app@.service.d/env.conf", "[Service]\nEnvironment=FROM=template-dropin\n");
        write("app@special.service", "[Service]\nExecStart=/bin/echo own file\n");
        UnitLoader loader = new UnitLoader(List.of(dir, dir.resolve("absent")), TestContexts.HOST);

        assertThat(loader.loadService("app@1.service").unit().execStart().getFirst().argv())
                .containsExactly("/bin/echo", "template", "1");
        assertThat(loader.loadService("app@special.service").unit().execStart().getFirst().argv())
                .containsExactly("/bin/echo", "own", "file");
        assertThat(loader.loadService("app@2.service").unit().environment()).containsExactly("FROM=template-dropin");
        assertThat(loader.loadService("late.service").loaded()).isFalse();

        write("late.service", "[Service]\nExecStart=/bin/true\n");
        write("app@3.service", "[Service]\nExecStart=/bin/echo added\n");
        write("app@4.service.d/more.conf", "[Service]\nEnvironment=FROM=instance-dropin\n");
        assertThat(loader.loadService("late.service").loaded()).isTrue();
        assertThat(loader.loadService("app@3.service").unit().execStart().getFirst().argv())
                .containsExactly("/bin/echo", "added");
        assertThat(loader.loadService("app@4.service").unit().environment())
                .containsExactly("FROM=template-dropin", "FROM=instance-dropin");
    }

    @Test
    void anInstanceReusesItsTemplatesLastLoadWhileTheFilesKeepTheirStamps() throws IOException {
        Path template = write("echo@.service", "[Service]\nExecStart=/bin/echo one\n");
        UnitLoader loader = new UnitLoader(List.of(dir), TestContexts.HOST);
        assertThat(loader.loadService("echo@1.service").unit().execStart().getFirst().argv())
                .containsExactly("/bin/echo", "one");

        // Same size, same modification time, same inode: the file counts as unchanged (systemd's own test of a
        // unit file changed on disk), so the next instance gets the settings already loaded, under its own name.
        var modified = Files.getLastModifiedTime(template);
        Files.writeString(template, "[Service]\nExecStart=/bin/echo two\n");
        Files.setLastModifiedTime(template, modified);
        ServiceUnit second = loader.loadService("echo@2.service").unit();
        assertThat(second.name()).hasToString("echo@2.service");
        assertThat(second.execStart().getFirst().argv()).containsExactly("/bin/echo", "one");

        // Any change of stamp is a new load.
        Files.setLastModifiedTime(template, java.nio.file.attribute.FileTime.fromMillis(modified.toMillis() + 1000));
        assertThat(loader.loadService("echo@3.service").unit().execStart().getFirst().argv())
                .containsExactly("/bin/echo", "two");
        write("echo@.service.d/more.conf", "[Service]\nEnvironment=ADDED=1\n");
        assertThat(loader.loadService("echo@4.service").unit().environment()).containsExactly("ADDED=1");
    }

    @Test
    void anInstanceWhoseFilesNameTheInstanceIsAlwaysLoadedForItself() throws IOException {
        write("named@.service", "[Service]\nExecStart=/bin/echo one\nEnvironment=UNIT=%n\n");
        write("plain@.service", "[Service]\nExecStart=/bin/echo %p\nBogusKey=1\n");
        UnitLoader loader = new UnitLoader(List.of(dir), TestContexts.HOST);
        assertThat(loader.loadService("named@1.service").unit().environment()).containsExactly("UNIT=named@1.service");
        assertThat(loader.loadService("named@2.service").unit().environment()).containsExactly("UNIT=named@2.service");

        // A load with a finding is not kept: each instance's diagnostics name that instance.
        assertThat(loader.loadService("plain@1.service").diagnostics()).extracting(Diagnostic::unit)
                .contains("plain@1.service");
        assertThat(loader.loadService("plain@2.service").diagnostics()).extracting(Diagnostic::unit)
                .contains("plain@2.service");
    }

    @Test
    void syntaxDiagnosticsUseSystemdWording() throws IOException {
        write("s.socket", """
                Description=outside
                [Socket]
                ListenStream=1
                Bogus
                =value
                Foo=bar
                X-Extension=ignored
                ProtectSystem=strict
                ProtectSystem=full
                Backlog=
                [X-Vendor]
                Anything=goes
                [Service]
                ExecStart=/bin/true
                """);
        LoadResult<SocketUnit> result = socket("s.socket");
        assertThat(result.loaded()).isTrue();
        assertThat(messages(result)).containsExactly(
                "1: Assignment outside of section. Ignoring.",
                "4: Missing '=', ignoring line.",
                "5: Missing key name before '=', ignoring line.",
                "6: Unknown key 'Foo' in section [Socket], ignoring.",
                "8: ProtectSystem= in section [Socket] is not supported by sockact, ignoring.",
                "10: Failed to parse unsigned value, ignoring: ",
                "13: Unknown section 'Service'. Ignoring.");
        assertThat(result.diagnostics().get(4).isSockactOnly()).isTrue();
    }

    @Test
    void invalidSectionHeaderFailsTheUnit() throws IOException {
        write("h.socket", "[Socket\nListenStream=1\n");
        LoadResult<SocketUnit> result = socket("h.socket");
        assertThat(result.state()).isEqualTo(LoadState.ERROR);
        assertThat(messages(result)).containsExactly("1: Invalid section header '[Socket'");
    }

    @Test
    void fatalValueStopsReadingTheFile() throws IOException {
        write("f.socket", "[Socket]\nListenStream=1\nExecStartPre=/bin/true \"x\nBogus=1\n");
        LoadResult<SocketUnit> result = socket("f.socket");
        assertThat(result.state()).isEqualTo(LoadState.BAD_SETTING);
        assertThat(messages(result)).containsExactly("3: Unbalanced quoting, ignoring: \"/bin/true \"x\"",
                "0: Unit configuration has fatal error, unit will not be started.");
    }

    @Test
    void wholeUnitChecks() throws IOException {
        write("none.socket", "[Socket]\nAccept=yes\n");
        write("dgram.socket", "[Socket]\nListenDatagram=5000\nAccept=yes\n");
        write("svc.socket", "[Socket]\nListenStream=6000\nAccept=yes\nService=x.service\n");
        write("links.socket", "[Socket]\nListenStream=/run/a\nListenStream=/run/b\nSymlinks=/run/c\n");
        write("maxconn.socket", "[Socket]\nListenStream=6001\nAccept=yes\nMaxConnections=0\n");
        assertThat(messages(socket("none.socket"))).containsExactly(
                "0: Unit has no Listen setting (ListenStream=, ListenDatagram=, ListenFIFO=, ...). Refusing.");
        assertThat(messages(socket("dgram.socket"))).containsExactly(
                "0: Unit configured for accepting sockets, but sockets are non-accepting. Refusing.");
        assertThat(messages(socket("svc.socket"))).containsExactly(
                "0: Explicit service configuration for accepting socket units not supported. Refusing.");
        assertThat(messages(socket("links.socket"))).containsExactly(
                "0: Unit has symlinks set but none or more than one node in the file system. Refusing.");
        assertThat(messages(socket("maxconn.socket"))).containsExactly("0: MaxConnection= setting too small. Refusing.");
        assertThat(socket("none.socket").state()).isEqualTo(LoadState.BAD_SETTING);
    }

    @Test
    void activationReportsAMissingService() throws IOException {
        write("lonely.socket", "[Socket]\nListenStream=7000\n");
        UnitLoader.ActivationUnits units = new UnitLoader(List.of(dir), TestContexts.HOST)
                .loadActivation("lonely.socket");
        assertThat(units.startable()).isFalse();
        assertThat(units.socket().diagnostics()).extracting(Diagnostic::format)
                .containsExactly("lonely.socket: service lonely.service not loaded, socket cannot be started.");
    }

    @Test
    void socketWithServiceLoads() throws IOException {
        write("pair.socket", "[Socket]\nListenStream=7001\nService=other.service\n");
        write("other.service", "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n");
        UnitLoader.ActivationUnits units = new UnitLoader(List.of(dir), TestContexts.HOST).loadActivation("pair.socket");
        assertThat(units.startable()).isTrue();
        assertThat(units.service().unit().standardInput()).isEqualTo(StandardInput.Source.SOCKET);
        assertThat(units.service().unit().type()).isEqualTo(ServiceType.SIMPLE);
    }

    @Test
    void emptyAssignmentResetsListsAndOptionalValues() throws IOException {
        write("r.socket", """
                [Socket]
                ListenStream=1
                ListenStream=
                ListenStream=2
                Symlinks=/run/x
                Symlinks=
                FileDescriptorName=custom
                FileDescriptorName=
                IPTOS=low-delay
                IPTOS=
                ExecStartPre=/bin/true
                ExecStartPre=
                """);
        SocketUnit socket = socket("r.socket").unit();
        assertThat(socket.listens()).hasSize(1);
        assertThat(socket.symlinks()).isEmpty();
        assertThat(socket.fileDescriptorName()).isEqualTo("r.socket");
        assertThat(socket.options().ipTos()).isEqualTo(-1);
        assertThat(socket.execStartPre()).isEmpty();
    }

    @Test
    void maskedUnits() throws IOException {
        Files.createSymbolicLink(dir.resolve("m.socket"), Path.of("/dev/null"));
        assertThat(socket("m.socket").state()).isEqualTo(LoadState.MASKED);
        assertThat(socket("missing.socket").state()).isEqualTo(LoadState.NOT_FOUND);
    }

    @Test
    void deferAcceptIsAnExtensionWithAPortabilityWarning() throws IOException {
        write("d.socket", "[Socket]\nListenStream=1\nDeferAccept=yes\nPollLimitBurst=5\n");
        LoadResult<SocketUnit> result = socket("d.socket");
        assertThat(result.unit().options().deferAccept()).isEqualTo(TimeSpan.ofSeconds(1));
        assertThat(result.unit().pollLimitBurst()).isEqualTo(5);
        assertThat(result.diagnostics()).allMatch(Diagnostic::isSockactOnly).hasSize(2);
    }
}
