package dev.sockact.daemon;

import dev.sockact.testing.DaemonProcess;
import dev.sockact.testing.Daemons;
import dev.sockact.testing.NobodyHome;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.sockact.testing.Ports.freeTcpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Limit*=, Nice=, OOMScoreAdjust=, IOScheduling*=, CPUScheduling*=, CPUAffinity=, SupplementaryGroups=,
 * NoNewPrivileges=, the capability sets, SecureBits= and KeyringMode=, each read back by the started service itself
 * from /proc/$$ (the service's main process, which the prefix tools exec in place), as root; and the refusals of
 * what an unprivileged {@code sockactd --user} cannot grant.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessSettingsIT {
    @TempDir
    Path dir;

    @RegisterExtension
    final Daemons daemons = new Daemons(() -> dir);

    @BeforeEach
    void needsRootAndUtilLinux() {
        assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"), "needs root");
        for (String tool : List.of("/usr/bin/setpriv", "/usr/bin/prlimit", "/usr/bin/choom")) {
            assumeTrue(Files.isExecutable(Path.of(tool)), "needs " + tool);
        }
    }

    /** An Accept=yes socket whose instances run {@code script} with their stdout on the connection. */
    private int reportingSocket(Path units, String name, String serviceSettings, String script) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path program = dir.resolve(name + ".sh");
        Files.writeString(program, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port = freeTcpPort();
        Files.writeString(units.resolve(name + ".socket"),
                "[Socket]\nListenStream=127.0.0.1:" + port + "\nAccept=yes\n");
        Files.writeString(units.resolve(name + "@.service"), "[Service]\nExecStart=" + program
                + "\nStandardOutput=socket\n" + serviceSettings);
        return port;
    }

    private static String report(int port) throws IOException {
        try (Socket client = new Socket("127.0.0.1", port)) {
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** soft and hard of one line of /proc/PID/limits ("Max open files  100  200  files"). */
    private static List<String> limit(String limits, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+(\\S+)\\s+(\\S+)").matcher(limits);
        assertThat(m.find()).as(name + " in\n" + limits).isTrue();
        return List.of(m.group(1), m.group(2));
    }

    private static String field(String status, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + ":\\s*(.*)$").matcher(status);
        assertThat(m.find()).as(name + " in\n" + status).isTrue();
        return m.group(1).strip();
    }

    @Test
    void everyLimitIsTheServicesOwn() throws Exception {
        int port = reportingSocket(daemons.units(), "limits", """
                LimitNOFILE=100:200
                LimitCPU=2min:infinity
                LimitCORE=0
                LimitRTTIME=5ms:1s
                LimitSTACK=1M:8M
                LimitMSGQUEUE=400K
                LimitNPROC=10000
                LimitFSIZE=1G:infinity
                LimitMEMLOCK=64K
                LimitLOCKS=77
                LimitSIGPENDING=999
                LimitAS=infinity
                LimitDATA=infinity
                LimitRSS=infinity
                LimitNICE=0
                LimitRTPRIO=0
                """, "cat /proc/$$/limits\n");
        DaemonProcess d = daemons.start();
        d.await("Listening on limits.socket.");

        String limits = report(port);
        assertThat(limits).as(d::log).isNotEmpty();
        assertThat(limit(limits, "Max open files")).as(d::log).containsExactly("100", "200");
        assertThat(limit(limits, "Max cpu time")).containsExactly("120", "unlimited");
        assertThat(limit(limits, "Max core file size")).containsExactly("0", "0");
        assertThat(limit(limits, "Max realtime timeout")).containsExactly("5000", "1000000");
        assertThat(limit(limits, "Max stack size")).containsExactly("1048576", "8388608");
        assertThat(limit(limits, "Max msgqueue size")).containsExactly("409600", "409600");
        assertThat(limit(limits, "Max processes")).containsExactly("10000", "10000");
        assertThat(limit(limits, "Max file size")).containsExactly("1073741824", "unlimited");
        assertThat(limit(limits, "Max locked memory")).containsExactly("65536", "65536");
        assertThat(limit(limits, "Max file locks")).containsExactly("77", "77");
        assertThat(limit(limits, "Max pending signals")).containsExactly("999", "999");
        assertThat(limit(limits, "Max address space")).containsExactly("unlimited", "unlimited");
        assertThat(d.terminate()).as(d.log()).isZero();
    }

    @Test
    void niceOomScoreIoAndCpuSchedulingAndAffinity() throws Exception {
        int cpu = Runtime.getRuntime().availableProcessors() > 1 ? 1 : 0;
        int port = reportingSocket(daemons.units(), "sched", """
                Nice=7
                OOMScoreAdjust=345
                IOSchedulingClass=best-effort
                IOSchedulingPriority=6
                CPUSchedulingPolicy=batch
                CPUAffinity=%d
                """.formatted(cpu), """
                echo "stat $(cat /proc/$$/stat)"
                echo "oom $(cat /proc/$$/oom_score_adj)"
                grep Cpus_allowed_list /proc/$$/status
                ionice -p $$
                chrt -p $$
                """);
        DaemonProcess d = daemons.start();
        d.await("Listening on sched.socket.");

        String report = report(port);
        String stat = report.lines().filter(l -> l.startsWith("stat ")).findFirst().orElseThrow();
        String[] afterComm = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertThat(afterComm[16]).as("nice, field 19 of " + stat).isEqualTo("7");
        assertThat(report).as(d::log).contains("oom 345\n").contains("Cpus_allowed_list:\t" + cpu + "\n")
                .contains("best-effort: prio 6\n").contains("scheduling policy: SCHED_BATCH");
        // sockactd itself keeps its own.
        assertThat(Files.readString(Path.of("/proc/" + d.process.pid() + "/oom_score_adj")).strip()).isEqualTo("0");
        assertThat(d.terminate()).as(d.log()).isZero();
    }

    @Test
    void userGroupsCapabilitiesSecureBitsAndNoNewPrivileges() throws Exception {
        int port = reportingSocket(daemons.units(), "creds", """
                User=nobody
                SupplementaryGroups=adm 100
                NoNewPrivileges=yes
                AmbientCapabilities=CAP_NET_BIND_SERVICE
                CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_KILL
                SecureBits=noroot
                LimitNOFILE=50
                """, """
                cat /proc/$$/status
                grep 'open files' /proc/$$/limits
                capsh --print | grep Securebits
                """);
        DaemonProcess d = daemons.start();
        d.await("Listening on creds.socket.");

        String status = report(port);
        assertThat(status).as(d::log).isNotEmpty();
        assertThat(field(status, "Uid")).as(d::log).startsWith("65534\t65534");
        assertThat(field(status, "Groups")).isEqualTo("4 100 65534");
        assertThat(field(status, "NoNewPrivs")).isEqualTo("1");
        assertThat(field(status, "CapBnd")).isEqualTo("0000000000000420");
        assertThat(field(status, "CapAmb")).isEqualTo("0000000000000400");
        assertThat(field(status, "CapEff")).isEqualTo("0000000000000400");
        assertThat(limit(status, "Max open files")).containsExactly("50", "50");
        assertThat(status).contains("Securebits: 01/0x1/");
        assertThat(d.terminate()).as(d.log()).isZero();
    }

    @Test
    void privateKeyringIsANewSessionKeyringAndInheritKeepsSockactds() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "needs python3");
        String script = "/usr/bin/python3 -c 'import ctypes; print(ctypes.CDLL(None).syscall(250, 0, -3, 0))'\n";
        int privatePort = reportingSocket(daemons.units(), "private", "KeyringMode=private\n", script);
        int inheritPort = reportingSocket(daemons.units(), "inherit", "", script);
        DaemonProcess d = daemons.start();
        d.await("Listening on inherit.socket.");
        d.await("Listening on private.socket.");

        Process own = new ProcessBuilder("/bin/sh", "-c", script).start();
        String ours = new String(own.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        own.waitFor();
        String inherited = report(inheritPort).strip();
        String first = report(privatePort).strip();
        String second = report(privatePort).strip();
        assertThat(Long.parseLong(first)).as(d::log).isPositive();
        assertThat(inherited).isEqualTo(ours);
        assertThat(first).isNotEqualTo(ours).isNotEqualTo(second);
        assertThat(d.terminate()).as(d.log()).isZero();
    }

    /** What an unprivileged manager cannot grant fails the start, naming the setting and why. */
    @Test
    void unprivilegedRefusalsNameTheSettingAndWhy() throws Exception {
        long hard = Long.parseLong(limit(Files.readString(Path.of("/proc/self/limits")), "Max open files").get(1));
        try (NobodyHome nobody = NobodyHome.create()) {
            Path units = nobody.units();
            String[][] cases = {
                    {"nofile", "LimitNOFILE=100:" + (hard + 1),
                            "Failed to adjust resource limit RLIMIT_NOFILE: Operation not permitted"},
                    {"bounding", "CapabilityBoundingSet=CAP_KILL",
                            "Failed to drop capabilities: Operation not permitted"},
                    {"oom", "OOMScoreAdjust=-100", "Failed to adjust OOM setting: Permission denied"},
                    {"nice", "Nice=-5", "Failed at step NICE spawning /bin/true: Failed to set up process"
                            + " scheduling priority (nice level): Permission denied"},
                    {"fifo", "CPUSchedulingPolicy=fifo", "Failed at step SETSCHEDULER spawning /bin/true: Failed"
                            + " to set up CPU scheduling: Operation not permitted"},
            };
            int[] ports = new int[cases.length];
            for (int i = 0; i < cases.length; i++) {
                ports[i] = freeTcpPort();
                Files.writeString(units.resolve(cases[i][0] + ".socket"),
                        "[Socket]\nListenStream=127.0.0.1:" + ports[i] + "\nAccept=yes\n");
                Files.writeString(units.resolve(cases[i][0] + "@.service"),
                        "[Service]\nExecStart=/bin/true\n" + cases[i][1] + "\n");
            }
            DaemonProcess d = daemons.track(nobody.startDaemon());
            for (String[] c : cases) {
                d.await("Listening on " + c[0] + ".socket.");
            }
            for (int i = 0; i < cases.length; i++) {
                assertThat(report(ports[i])).isEmpty();
                d.await(cases[i][2]);
            }
            assertThat(d.log()).contains("is above sockactd's hard limit");
            assertThat(d.terminate()).as(d.log()).isZero();
        }
    }
}
