package dev.sockact.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * examples/debian-daemons/run: uuidd, sshd, cupsd, rpcbind and saned from Debian 12, with the units their packages
 * ship, each answering its own client under sockactd. Runs as root on Debian with apt-get (it installs the packages
 * when missing, ~20-30 s, with a policy-rc.d that keeps them from starting), when nothing listens on their ports;
 * skipped otherwise, with the reason.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class DebianDaemonsIT {
    private static final Path RUN = Path.of("examples/debian-daemons/run").toAbsolutePath();
    private static final int CANNOT_RUN_HERE = 77;

    @TempDir
    Path dir;

    @Test
    void theFiveDaemonsAnswerTheirClients() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/apt-get")), "needs apt-get (Debian)");
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")), "needs root");
        Path out = dir.resolve("out.txt");
        Process run = new ProcessBuilder(RUN.toString()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(run.waitFor(9, TimeUnit.MINUTES)).isTrue();
        String text = Files.readString(out);
        assumeTrue(run.exitValue() != CANNOT_RUN_HERE, text);
        List<String> table = text.lines().dropWhile(l -> !l.startsWith("DAEMON ")).skip(1).limit(5).toList();
        assertThat(table).as(text).extracting(l -> l.split("\\s+")[0])
                .containsExactly("uuidd", "sshd", "cupsd", "rpcbind", "saned");
        for (String row : table) {
            String[] cells = row.split("\\s+");
            if (cells[0].equals("sshd") && !implementsRuntimeDirectory()) {
                // ssh.service has RuntimeDirectory=sshd; without it sshd -t exits 255 (no /run/sshd).
                assertThat(row).as(text).contains("RuntimeDirectory=sshd is not created");
                continue;
            }
            assertThat(cells[1]).as(text).isEqualTo("yes");
        }
        assertThat(text).contains("none of the daemons is left running");
    }

    /** Whether this sockactd acts on RuntimeDirectory= (sockctl verify names the keys it ignores). */
    private boolean implementsRuntimeDirectory() throws Exception {
        Path out = dir.resolve("verify.txt");
        Process verify = new ProcessBuilder(Path.of("bin/sockctl").toAbsolutePath().toString(), "verify",
                "/lib/systemd/system/ssh.service").redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(verify.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return !Files.readString(out).contains("RuntimeDirectory= in section [Service] is not supported");
    }
}
