package dev.sockact.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JVM options bin/socket-proxyd chooses from its arguments: its own two option lines and bin/lib/exit-idle.sh,
 * run by sh. C1 alone for a proxy told to exit when idle, both compilers for one that keeps running.
 */
class SocketProxydJvmOptionsTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    @Test
    void aProxyThatKeepsRunningGetsBothCompilers() throws Exception {
        assertThat(options("127.0.0.1:8080")).doesNotContain(C1_ONLY).contains("-XX:+UseSerialGC");
        assertThat(options("-c", "10", "--listen=127.0.0.1:8080", "127.0.0.1:80")).doesNotContain(C1_ONLY);
    }

    @Test
    void aProxyToldToExitWhenIdleRunsC1Alone() throws Exception {
        assertThat(options("--exit-idle-time=5s", "127.0.0.1:80")).startsWith(C1_ONLY + " ").contains("-XX:+UseSerialGC");
        assertThat(options("--exit-idle-time", "1min", "127.0.0.1:80")).startsWith(C1_ONLY + " ");
        assertThat(options("127.0.0.1:80", "--exit-idle-time=30")).as("getopt permutes").startsWith(C1_ONLY + " ");
    }

    /** getopt_long takes a prefix of the option, as the proxy does. */
    @Test
    void anAbbreviatedOptionCountsToo() throws Exception {
        assertThat(options("--exit-idle=5s", "127.0.0.1:80")).startsWith(C1_ONLY + " ");
        assertThat(options("--e", "1min", "127.0.0.1:80")).startsWith(C1_ONLY + " ");
        assertThat(options("--exit=infinity", "127.0.0.1:80")).doesNotContain(C1_ONLY);
        assertThat(options("--exit-idle-timeout=5s", "127.0.0.1:80")).as("not a prefix").doesNotContain(C1_ONLY);
    }

    /** infinity is systemd's default: never exit. The last --exit-idle-time counts, as in the proxy. */
    @Test
    void infinityAndTheLastOneCount() throws Exception {
        assertThat(options("--exit-idle-time=infinity", "127.0.0.1:80")).doesNotContain(C1_ONLY);
        assertThat(options("--exit-idle-time", "infinity", "127.0.0.1:80")).doesNotContain(C1_ONLY);
        assertThat(options("--exit-idle-time=5s", "--exit-idle-time=infinity", "x:1")).doesNotContain(C1_ONLY);
        assertThat(options("--exit-idle-time=infinity", "--exit-idle-time=5s", "x:1")).startsWith(C1_ONLY + " ");
    }

    @Test
    void operandsAfterTheEndOfOptionsAreNotOptions() throws Exception {
        assertThat(options("--", "--exit-idle-time=5s")).doesNotContain(C1_ONLY);
    }

    /** SOCKACT_DEFAULT_JVM_OPTS after bin/socket-proxyd's option lines and the snippet, for {@code args}. */
    private static String options(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
                "eval \"$(grep '^SOCKACT_[A-Z_]*_JVM_OPTS=' \"$0/bin/socket-proxyd\")\"; . \"$0/bin/lib/exit-idle.sh\";"
                        + " printf '%s' \"$SOCKACT_DEFAULT_JVM_OPTS\"", ROOT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(out).isZero();
        assertThat(out).as("the launcher's default options").isNotBlank();
        return out;
    }
}
