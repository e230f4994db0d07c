package dev.sockact.daemon;

import dev.sockact.unit.Condition;
import dev.sockact.unit.UnitInfo;
import dev.sockact.unit.parse.InvalidValueException;
import dev.sockact.unit.parse.TestContexts;
import dev.sockact.unit.parse.UnitSectionDirectives;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every condition kind tested on this machine (its real files, /proc, /etc/os-release, credentials) by sockactd's
 * evaluation and by systemd 252's own ({@code systemd-analyze condition}), which must agree line by line: the same
 * succeeded, failed, or "Couldn't determine result" with the same reason.
 */
class ConditionTestsTest {
    private static final Path SYSTEMD_ANALYZE = Path.of("/usr/bin/systemd-analyze");
    private static final String MARKER = "SOCKACT_CONDITION_TEST";

    @TempDir
    Path dir;

    private List<String> assignments() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "content");
        Path empty = Files.createFile(dir.resolve("empty"));
        Path script = Files.writeString(dir.resolve("script"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), file);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        Path hiddenOnly = Files.createDirectories(dir.resolve("hidden-only"));
        Files.createFile(hiddenOnly.resolve(".hidden"));
        Files.createFile(hiddenOnly.resolve("backup~"));
        Files.createFile(hiddenOnly.resolve("x.dpkg-old"));
        Path full = Files.createDirectories(dir.resolve("full"));
        Files.createFile(full.resolve("entry"));
        Path emptyDir = Files.createDirectories(dir.resolve("empty-dir"));
        String missing = dir.resolve("missing").toString();
        String host = MachineFacts.hostName();
        String machineId = Files.readString(Path.of("/etc/machine-id")).strip();
        String release = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        String major = release.split("\\.")[0];
        List<String> cmdline = KernelCommandLine.words();
        List<String> a = new ArrayList<>(List.of(
                "ConditionPathExists=" + file, "ConditionPathExists=" + missing, "ConditionPathExists=!" + missing,
                "ConditionPathExists=" + dangling, "ConditionPathExists=" + dir + "//file/",
                "ConditionPathExistsGlob=" + dir + "/f*", "ConditionPathExistsGlob=" + dir + "/{nothing,empty}",
                "ConditionPathExistsGlob=" + dir + "/*/entry", "ConditionPathExistsGlob=" + dir + "/q?",
                "ConditionPathExistsGlob=" + dir + "/[ef]ile", "ConditionPathExistsGlob=" + dir + "/*idden",
                "ConditionPathIsDirectory=" + dir, "ConditionPathIsDirectory=" + file,
                "ConditionPathIsSymbolicLink=" + link, "ConditionPathIsSymbolicLink=" + file,
                "ConditionPathIsMountPoint=/proc", "ConditionPathIsMountPoint=/", "ConditionPathIsMountPoint=" + dir,
                "ConditionPathIsReadWrite=" + dir, "ConditionPathIsReadWrite=" + missing,
                "ConditionPathIsReadWrite=/proc/sys", "ConditionPathIsReadWrite=/sys",
                "ConditionDirectoryNotEmpty=" + full, "ConditionDirectoryNotEmpty=" + hiddenOnly,
                "ConditionDirectoryNotEmpty=" + emptyDir, "ConditionDirectoryNotEmpty=" + file,
                "ConditionFileNotEmpty=" + file, "ConditionFileNotEmpty=" + empty, "ConditionFileNotEmpty=" + dir,
                "ConditionFileIsExecutable=" + script, "ConditionFileIsExecutable=" + file,
                "ConditionFileIsExecutable=" + dir,
                "ConditionNeedsUpdate=/etc", "ConditionNeedsUpdate=/var", "ConditionNeedsUpdate=" + dir,
                "ConditionFirstBoot=yes", "ConditionFirstBoot=no", "ConditionFirstBoot=maybe",
                "ConditionArchitecture=native", "ConditionArchitecture=x86-64", "ConditionArchitecture=arm64",
                "ConditionArchitecture=bogus",
                "ConditionVirtualization=yes", "ConditionVirtualization=no", "ConditionVirtualization=vm",
                "ConditionVirtualization=container", "ConditionVirtualization=docker", "ConditionVirtualization=kvm",
                "ConditionVirtualization=private-users",
                "ConditionHost=" + host, "ConditionHost=" + host.toUpperCase(Locale.ROOT), "ConditionHost="
                        + host.charAt(0) + "*", "ConditionHost=not-" + host, "ConditionHost=" + machineId,
                "ConditionHost=00000000000000000000000000000001",
                "ConditionKernelCommandLine=" + cmdline.getFirst(), "ConditionKernelCommandLine=no-such-word",
                "ConditionKernelCommandLine=" + cmdline.getLast() + "=x",
                "ConditionKernelVersion=" + release, "ConditionKernelVersion=>=" + major,
                "ConditionKernelVersion=>= " + major, "ConditionKernelVersion=<" + major,
                "ConditionKernelVersion=>" + major + " <" + (Integer.parseInt(major) + 1),
                "ConditionKernelVersion=!=" + release, "ConditionKernelVersion=" + major + ".*",
                "ConditionKernelVersion=>=" + major + " >= 99", "ConditionKernelVersion=<=" + major + "~rc1",
                "ConditionSecurity=selinux", "ConditionSecurity=apparmor", "ConditionSecurity=smack",
                "ConditionSecurity=audit", "ConditionSecurity=ima", "ConditionSecurity=tomoyo",
                "ConditionSecurity=uefi-secureboot", "ConditionSecurity=tpm2", "ConditionSecurity=bogus",
                "ConditionCapability=CAP_NET_ADMIN", "ConditionCapability=cap_sys_admin", "ConditionCapability=12",
                "ConditionCapability=63", "ConditionCapability=64", "ConditionCapability=net_admin",
                "ConditionCapability=foo",
                "ConditionACPower=true", "ConditionACPower=false", "ConditionACPower=maybe",
                "ConditionMemory=1", "ConditionMemory=>=1G", "ConditionMemory=<1G", "ConditionMemory=<=1E",
                "ConditionMemory=1.5K", "ConditionMemory=foo", "ConditionMemory=-5", "ConditionMemory=!=0",
                "ConditionCPUs=1", "ConditionCPUs=>1024", "ConditionCPUs=<=1", "ConditionCPUs=foo",
                "ConditionCPUs=" + MachineFacts.cpusInAffinityMask(), "ConditionCPUs==" + MachineFacts.cpusInAffinityMask(),
                "ConditionEnvironment=" + MARKER, "ConditionEnvironment=" + MARKER + "=yes",
                "ConditionEnvironment=" + MARKER + "=no", "ConditionEnvironment=SOCKACT_NOT_SET",
                "ConditionUser=root", "ConditionUser=nobody", "ConditionUser=@system", "ConditionUser=0",
                "ConditionUser=65534", "ConditionUser=" + System.getProperty("user.name"), "ConditionUser=no-such-user",
                "ConditionGroup=root", "ConditionGroup=0", "ConditionGroup=nogroup", "ConditionGroup=no-such-group",
                "ConditionControlGroupController=v1", "ConditionControlGroupController=v2",
                "ConditionControlGroupController=memory", "ConditionControlGroupController=cpu cpuacct",
                "ConditionControlGroupController=io", "ConditionControlGroupController=bpf-firewall",
                "ConditionControlGroupController=bogus", "ConditionControlGroupController=memory bogus",
                "ConditionOSRelease=ID=debian", "ConditionOSRelease=ID!=debian", "ConditionOSRelease=ID=fedora",
                "ConditionOSRelease=VERSION_ID>=12", "ConditionOSRelease=VERSION_ID<12.1",
                "ConditionOSRelease=ID=debian VERSION_ID>11", "ConditionOSRelease=NOT_A_KEY=x",
                "ConditionOSRelease=NOT_A_KEY!=x", "ConditionOSRelease=ID", "ConditionOSRelease=ID= debian",
                "ConditionOSRelease=FOO=", "ConditionOSRelease=1D=x"));
        return a;
    }

    @Test
    void everyKindAgreesWithSystemdAnalyzeCondition() throws Exception {
        assumeTrue(Files.isExecutable(SYSTEMD_ANALYZE), "systemd-analyze is not installed");
        // '|' makes every one triggering, so systemd tests (and logs) them all.
        List<String> triggering = assignments().stream().map(s -> s.replaceFirst("=", "=|")).toList();
        List<String> command = new ArrayList<>(List.of(SYSTEMD_ANALYZE.toString(), "condition"));
        command.addAll(triggering);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put(MARKER, "yes");
        builder.environment().put("SYSTEMD_LOG_LEVEL", "debug");
        builder.environment().put("SYSTEMD_LOG_COLOR", "0");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();

        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.put(MARKER, "yes");
        Map<String, String> ours = new LinkedHashMap<>();
        Map<String, String> systemd = new LinkedHashMap<>();
        for (String assignment : triggering) {
            Condition c = parse(assignment);
            ConditionTests.Tested t = ConditionTests.test(c, environment);
            ours.put(c.display(), t.outcome() == ConditionTests.Outcome.ERROR ? "error: " + t.error()
                    : t.outcome().name().toLowerCase(Locale.ROOT));
            systemd.put(c.display(), systemdVerdict(output, c.display()));
        }
        assertThat(systemd.values()).as(output).doesNotContain("not tested")
                .contains("succeeded", "failed", "error: Invalid argument");
        assertThat(ours).as(output).isEqualTo(systemd);
    }

    private static String systemdVerdict(String output, String display) {
        for (String line : output.split("\n")) {
            String l = line.strip();
            if (l.equals("test.service: " + display + " succeeded.")) {
                return "succeeded";
            }
            if (l.equals("test.service: " + display + " failed.")) {
                return "failed";
            }
            String error = "test.service: Couldn't determine result for " + display + ", assuming failed: ";
            if (l.startsWith(error)) {
                return "error: " + l.substring(error.length());
            }
        }
        return "not tested";
    }

    static Condition parse(String assignment) throws InvalidValueException {
        int eq = assignment.indexOf('=');
        String key = assignment.substring(0, eq);
        UnitInfo.Builder builder = new UnitInfo.Builder();
        UnitSectionDirectives.UNIT.get(key).handler().apply(builder, assignment.substring(eq + 1),
                TestContexts.context("test.service", key));
        UnitInfo info = builder.build();
        return key.startsWith("Assert") ? info.asserts().getFirst() : info.conditions().getFirst();
    }
}
